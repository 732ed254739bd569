import { describe, expect, it } from "vitest";
import { Sketch, bucketOf, bucketValue, registerSketchFunctions } from "./latency-sketch.js";
import { openSqlite } from "../ledger/sqlite-driver.js";

describe("latency sketch", () => {
  it("stands for every latency within 1%, and for small ones exactly", () => {
    for (let ms = 0; ms <= 50; ms++) expect(bucketValue(bucketOf(ms))).toBe(ms);
    for (let ms = 51; ms < 3_000_000; ms = Math.ceil(ms * 1.013)) {
      expect(Math.abs(bucketValue(bucketOf(ms)) - ms)).toBeLessThanOrEqual(ms * 0.01);
    }
  });

  it("orders buckets like their values", () => {
    let last = -1;
    for (let ms = 0; ms < 100_000; ms += 7) {
      expect(bucketOf(ms)).toBeGreaterThanOrEqual(last);
      last = bucketOf(ms);
    }
  });

  it("encodes and decodes, adds counts of a bucket, grows for large buckets, and an empty sketch is NULL", () => {
    const s = new Sketch();
    s.add(3, 2);
    s.add(3, 1);
    s.add(5000, 70_000);
    const back = new Sketch();
    back.addBlob(s.encode());
    expect(back.entries()).toEqual([[3, 3], [5000, 70_000]]);
    // An encoded sketch at an odd offset inside a larger buffer decodes the same.
    const blob = s.encode() ?? Buffer.alloc(0);
    const shifted = Buffer.alloc(blob.length + 1);
    blob.copy(shifted, 1);
    const odd = new Sketch();
    odd.addBlob(shifted.subarray(1));
    expect(odd.entries()).toEqual(back.entries());
    expect(new Sketch().encode()).toBeNull();
    back.addBlob(null);
    expect(back.get(3)).toBe(3);
  });

  it("has SQL functions whose merge equals the sketch of the union", () => {
    const db = openSqlite(":memory:");
    registerSketchFunctions(db);
    db.exec("CREATE TABLE v (g INTEGER, ms INTEGER)");
    const values = [5, 17, 250, 251, 3000, 3000, 45_000, null];
    values.forEach((ms, i) => db.prepare("INSERT INTO v VALUES (?, ?)").run([i % 2, ms]));
    const parts = db.prepare("SELECT sketch_add(ms) FROM v GROUP BY g").pluck().all();
    const union = db.prepare("SELECT sketch_union(?, ?)").pluck().get([parts[0] as Buffer, parts[1] as Buffer]);
    const merged = db.prepare("SELECT sketch_merge(s) FROM (SELECT sketch_add(ms) AS s FROM v GROUP BY g)").pluck().get();
    const whole = db.prepare("SELECT sketch_add(ms) FROM v").pluck().get();
    expect(union).toEqual(whole);
    expect(merged).toEqual(whole);
    const s = new Sketch();
    s.addBlob(whole);
    const v = (ms: number): number => bucketValue(bucketOf(ms));
    expect(s.histogram()).toEqual([[5, 1], [17, 1], [v(250), 1], [v(251), 1], [v(3000), 2], [v(45_000), 1]]);
    expect(db.prepare("SELECT sketch_union(NULL, NULL)").pluck().get()).toBeNull();
    db.close();
  });
});
