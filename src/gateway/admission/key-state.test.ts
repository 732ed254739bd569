import { describe, expect, it } from "vitest";
import type { ClientKeyConfig } from "../../config/auth.js";
import { LocalKeyState } from "./key-state.js";

const key = (rpm: number | undefined, tpm?: number): ClientKeyConfig => ({ id: "k", sha256: Buffer.alloc(32), role: "user", allow: undefined, rpm, tpm, monthlyBudgetPicos: undefined, tags: {} });

describe("LocalKeyState across config reloads", () => {
  it("keeps a key's spent requests when a reload gives it the same limits (a new config object)", () => {
    const state = new LocalKeyState();
    expect(state.take(key(2), 0, 0)).toBeUndefined();
    expect(state.take(key(2), 0, 0)).toBeUndefined();
    expect(state.take(key(2), 0, 0)?.limit).toBe("requests");
  });

  it("starts a key whose limits changed on fresh buckets of the new size", () => {
    const state = new LocalKeyState();
    expect(state.take(key(1), 0, 0)).toBeUndefined();
    expect(state.take(key(1), 0, 0)?.limit).toBe("requests");
    expect(state.take(key(3), 0, 0)).toBeUndefined();
    expect(state.take(key(3), 0, 0)).toBeUndefined();
    expect(state.take(key(3), 0, 0)).toBeUndefined();
    expect(state.take(key(3), 0, 0)?.capacity).toBe(3);
    expect(state.take(key(3, 100), 50, 0)).toBeUndefined();
  });
});
