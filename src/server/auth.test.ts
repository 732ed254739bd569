import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuthConfig, ClientKeyConfig } from "../config/auth.js";
import { verifyKey } from "./auth.js";

const key = (id: string, secret: string): ClientKeyConfig => ({ id, sha256: createHash("sha256").update(secret).digest(), role: "user", allow: undefined, rpm: undefined, tpm: undefined, monthlyBudgetPicos: undefined, tags: {} });
const config = (...keys: ClientKeyConfig[]): AuthConfig => ({ enabled: true, keys: new Map(keys.map((k) => [k.id, k])) });

describe("verifyKey", () => {
  it("finds a key by its SHA-256, again from what it remembers, and never a wrong one", () => {
    const auth = config(key("team", "sk-team"), key("ops", "sk-ops"));
    expect(verifyKey(auth, "sk-team")?.id).toBe("team");
    expect(verifyKey(auth, "sk-team")?.id).toBe("team");
    expect(verifyKey(auth, "sk-ops")?.id).toBe("ops");
    expect(verifyKey(auth, "sk-tea")).toBeUndefined();
    expect(verifyKey(auth, "sk-teamx")).toBeUndefined();
  });

  it("refuses a revoked key under a new snapshot even though the old one verified it", () => {
    const before = config(key("team", "sk-team"), key("ops", "sk-ops"));
    expect(verifyKey(before, "sk-team")?.id).toBe("team");
    const after = config(key("ops", "sk-ops"));
    expect(verifyKey(after, "sk-team")).toBeUndefined();
    expect(verifyKey(after, "sk-ops")?.id).toBe("ops");
  });

  it("stays bounded: thousands of distinct valid keys still verify", () => {
    const keys = Array.from({ length: 5000 }, (_, i) => key(`k${i}`, `sk-${i}`));
    const auth = config(...keys);
    for (let i = 0; i < 5000; i++) expect(verifyKey(auth, `sk-${i}`)?.id).toBe(`k${i}`);
    expect(verifyKey(auth, "sk-0")?.id).toBe("k0");
  });
});
