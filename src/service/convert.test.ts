import { describe, expect, it } from "vitest";
import { toDuration, toMoney } from "./convert.js";

describe("convert", () => {
  it("turns milliseconds into a Duration without losing a second to rounding", () => {
    expect(toDuration(1999.9999999)).toMatchObject({ seconds: 2n, nanos: 0 });
    expect(toDuration(1234.5)).toMatchObject({ seconds: 1n, nanos: 234_500_000 });
    expect(toDuration(-5)).toMatchObject({ seconds: 0n, nanos: 0 });
  });

  it("splits pico-dollars into units and pico units with a display decimal", () => {
    expect(toMoney(12_345_678_000_000n)).toMatchObject({ units: 12n, picoUnits: 345_678_000_000n, decimal: "12.345678" });
    expect(toMoney(5n)).toMatchObject({ units: 0n, picoUnits: 5n, decimal: "0.000000000005" });
  });
});
