import { describe, expect, it } from "vitest";
import { nullable, toStrictSchema } from "./schema.js";

describe("toStrictSchema", () => {
  it("closes objects, requires every property and makes the optional ones nullable", () => {
    expect(
      toStrictSchema({
        type: "object",
        properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] }, days: { type: "integer" } },
        required: ["city"],
      }),
    ).toEqual({
      type: "object",
      properties: { city: { type: "string" }, unit: { type: ["string", "null"], enum: ["c", "f", null] }, days: { type: ["integer", "null"] } },
      required: ["city", "unit", "days"],
      additionalProperties: false,
    });
  });

  it("recurses into nested objects, array items, anyOf and $defs; oneOf becomes anyOf and const a one-value enum", () => {
    const out = toStrictSchema({
      type: "object",
      properties: {
        where: { type: "object", properties: { lat: { type: "number" } }, required: ["lat"] },
        tags: { type: "array", items: { type: "object", properties: { k: { const: "x" } } } },
        pick: { oneOf: [{ type: "string" }, { $ref: "#/$defs/n" }] },
      },
      required: ["where", "tags", "pick"],
      $defs: { n: { type: "object", properties: { v: { type: "number" } }, required: ["v"] } },
    });
    expect(out).toEqual({
      type: "object",
      properties: {
        where: { type: "object", properties: { lat: { type: "number" } }, required: ["lat"], additionalProperties: false },
        tags: {
          type: "array",
          items: { type: "object", properties: { k: { enum: ["x", null] } }, required: ["k"], additionalProperties: false },
        },
        pick: { anyOf: [{ type: "string" }, { $ref: "#/$defs/n" }] },
      },
      required: ["where", "tags", "pick"],
      $defs: { n: { type: "object", properties: { v: { type: "number" } }, required: ["v"], additionalProperties: false } },
      additionalProperties: false,
    });
  });

  it("drops keywords that only narrow validation and that strict mode rejects, keeping the shape", () => {
    expect(
      toStrictSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: { name: { type: "string", minLength: 1, maxLength: 9, default: "x", description: "who" }, ids: { type: "array", items: { type: "integer" }, uniqueItems: true } },
        required: ["name", "ids"],
      }),
    ).toEqual({
      type: "object",
      properties: { name: { type: "string", description: "who" }, ids: { type: "array", items: { type: "integer" } } },
      required: ["name", "ids"],
      additionalProperties: false,
    });
  });

  it("closes a nullable object node too", () => {
    expect(toStrictSchema({ type: "object", properties: { o: { type: ["object", "null"], properties: { a: { type: "string" } } } }, required: ["o"] })).toEqual({
      type: "object",
      properties: { o: { type: ["object", "null"], properties: { a: { type: ["string", "null"] } }, required: ["a"], additionalProperties: false } },
      required: ["o"],
      additionalProperties: false,
    });
  });

  it.each([
    ["a root that is not an object", { type: "array", items: { type: "string" } }],
    ["a root anyOf", { anyOf: [{ type: "object" }] }],
    ["an open map", { type: "object", properties: { m: { type: "object", additionalProperties: { type: "string" } } } }],
    ["additionalProperties true", { type: "object", properties: {}, additionalProperties: true }],
    ["a free-form object", { type: "object", properties: { any: { type: "object" } } }],
    ["allOf", { type: "object", properties: { a: { allOf: [{ type: "string" }] } } }],
    ["a tuple", { type: "object", properties: { t: { type: "array", prefixItems: [{ type: "string" }] } } }],
  ])("has no strict form for %s", (_what, schema) => {
    expect(toStrictSchema(schema)).toBeUndefined();
  });

  it("accepts an object that has no properties but is already closed (a tool without arguments)", () => {
    expect(toStrictSchema({ type: "object", additionalProperties: false })).toEqual({ type: "object", properties: {}, required: [], additionalProperties: false });
  });

  it("does not change its input", () => {
    const schema = { type: "object", properties: { a: { type: "string" } } };
    const copy = structuredClone(schema);
    toStrictSchema(schema);
    expect(schema).toEqual(copy);
  });
});

describe("nullable", () => {
  it("adds null once, by type, enum or anyOf, and wraps what has neither", () => {
    expect(nullable({ type: "string" })).toEqual({ type: ["string", "null"] });
    expect(nullable({ type: ["string", "null"] })).toEqual({ type: ["string", "null"] });
    expect(nullable({ enum: ["a"] })).toEqual({ enum: ["a", null] });
    expect(nullable({ anyOf: [{ type: "string" }] })).toEqual({ anyOf: [{ type: "string" }, { type: "null" }] });
    expect(nullable({ $ref: "#/$defs/x", description: "d" })).toEqual({ anyOf: [{ $ref: "#/$defs/x" }, { type: "null" }], description: "d" });
  });
});
