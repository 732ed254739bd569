import { describe, expect, it } from "vitest";
import { LocalShare } from "./local-share.js";

const rpm = (capacity: number) => ({ name: "k:rpm", capacity, need: 1 });
const tpm = (capacity: number, need: number) => ({ name: "k:tpm", capacity, need });

describe("LocalShare (limits while Redis is unreachable)", () => {
  it("takes every limit or none, and says which refuses and for how long", () => {
    const share = new LocalShare();
    expect(share.take([rpm(2), tpm(100, 80)], 0)).toBeUndefined();
    expect(share.take([rpm(2), tpm(100, 50)], 0)).toEqual({ index: 1, capacity: 100, retryInMs: 18_000 });
    expect(share.take([rpm(2), tpm(100, 0)], 0)).toBeUndefined(); // the refused call took no request
    expect(share.take([rpm(2), tpm(100, 0)], 0)).toEqual({ index: 0, capacity: 2, retryInMs: 30_000 });
    expect(share.take([rpm(2), tpm(100, 0)], 30_000)).toBeUndefined();
  });

  it("adjusts a bucket both ways and starts fresh when the share changes", () => {
    const share = new LocalShare();
    expect(share.take([tpm(100, 100)], 0)).toBeUndefined();
    share.adjust("k:tpm", -40, 0);
    expect(share.take([tpm(100, 40)], 0)).toBeUndefined();
    share.adjust("k:tpm", 10, 0);
    expect(share.take([tpm(100, 1)], 0)?.retryInMs).toBe(6_600);
    expect(share.take([tpm(50, 50)], 0)).toBeUndefined(); // another replica count: a fresh bucket of the new share
    share.clear();
    expect(share.take([tpm(50, 50)], 0)).toBeUndefined();
  });
});
