/** Schema compilation: clients' schemas never collide by `$id`, and eviction from the cache leaves nothing behind. */
import { describe, expect, it } from "vitest";
import { compileSchema } from "./json-schema.js";
import { withoutNulls } from "./nulls.js";

describe("compileSchema", () => {
  it("compiles two different schemas that share an $id, each validating by its own rules", () => {
    const a = compileSchema({ $id: "https://example.com/person", type: "object", required: ["name"] });
    const b = compileSchema({ $id: "https://example.com/person", type: "object", required: ["age"] });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect([a.validate({ name: "x" }), b.validate({ name: "x" })]).toEqual([true, false]);
  });

  it("compiles a schema again after it was evicted by 300 others", () => {
    const first = { $id: "https://x.test/first", type: "object", properties: { n: { type: "integer" } } };
    expect(compileSchema(first).ok).toBe(true);
    for (let i = 0; i < 300; i++) expect(compileSchema({ $id: `https://x.test/s${i}`, type: "object", minProperties: i }).ok).toBe(true);
    expect(compileSchema(JSON.parse(JSON.stringify(first)) as object).ok).toBe(true);
  });

  it("says why a schema is not JSON Schema", () => {
    expect(compileSchema({ type: "strin" })).toMatchObject({ ok: false, reason: expect.stringContaining("type") });
  });
});

describe("withoutNulls", () => {
  const schema = {
    type: "object",
    properties: { a: { type: "string" }, b: { type: "integer" }, c: { type: ["string", "null"] }, items: { type: "array", items: { $ref: "#/$defs/i" } } },
    required: ["a"],
    $defs: { i: { type: "object", properties: { x: { type: "number" } } } },
  };

  it("drops nulls of optional properties that take none, at any depth, and keeps the rest", () => {
    expect(withoutNulls({ a: "s", b: null, c: null, items: [{ x: null }, { x: 1 }] }, schema)).toEqual({ a: "s", c: null, items: [{}, { x: 1 }] });
  });

  it("gives back the same value when there is nothing to drop, and keeps a required null for the check to see", () => {
    const v = { a: null, c: null };
    expect(withoutNulls(v, schema)).toBe(v);
  });
});
