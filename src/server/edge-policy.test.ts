import { describe, expect, it } from "vitest";
import { admit, RefusalBursts } from "./edge-policy.js";

describe("admit", () => {
  it("serves below the limit, serves health only within the reserve, refuses past both", () => {
    expect(admit(0, 2, 1)).toBe("serve");
    expect(admit(1, 2, 1)).toBe("serve");
    expect(admit(2, 2, 1)).toBe("health-only");
    expect(admit(3, 2, 1)).toBe("refuse");
    expect(admit(2, 2, 0)).toBe("refuse");
  });
});

describe("RefusalBursts", () => {
  it("reports the start of a burst once, with the previous burst's count", () => {
    const b = new RefusalBursts(1000);
    expect(b.refused(0)).toEqual({ start: true, previousCount: 0 });
    expect(b.refused(500)).toEqual({ start: false });
    expect(b.refused(1400)).toEqual({ start: false });
    expect(b.refused(3000)).toEqual({ start: true, previousCount: 3 });
  });
});
