import { describe, expect, it } from "vitest";
import { toGeminiSchema } from "./schema.js";

describe("toGeminiSchema", () => {
  it("keeps the structure and the accepted keywords as they are", () => {
    const schema = {
      type: "object",
      title: "Weather",
      description: "Where",
      properties: {
        city: { type: "string", format: "date", description: "name" },
        days: { type: "integer", minimum: 1, maximum: 7 },
        tags: { type: "array", items: { type: "string", enum: ["a", "b"] }, minItems: 1, maxItems: 3 },
        note: { type: ["string", "null"] },
        map: { type: "object", additionalProperties: { type: "number" } },
      },
      required: ["city"],
      additionalProperties: false,
      propertyOrdering: ["city", "days"],
    };
    expect(toGeminiSchema(schema)).toEqual({ schema });
  });

  it("turns const into a one-value enum and oneOf into anyOf, deep inside", () => {
    const schema = { type: "object", properties: { kind: { oneOf: [{ const: "a" }, { type: "object", properties: { x: { const: 1 } } }] } } };
    expect(toGeminiSchema(schema)).toEqual({
      schema: { type: "object", properties: { kind: { anyOf: [{ enum: ["a"] }, { type: "object", properties: { x: { enum: [1] } } }] } } },
    });
  });

  it("drops annotations and validation-only keywords the API rejects, never properties named like keywords", () => {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $comment: "c",
      type: "object",
      examples: [{}],
      default: {},
      properties: {
        pattern: { type: "string", pattern: "^a", minLength: 1, maxLength: 9, default: "a" },
        n: { type: "number", multipleOf: 2, exclusiveMinimum: 0, exclusiveMaximum: 10 },
        list: { type: "array", items: { type: "string" }, uniqueItems: true, contains: { const: "x" } },
        not: { not: { type: "null" } },
      },
      patternProperties: { "^x": { type: "string" } },
      minProperties: 1,
      dependentRequired: { a: ["b"] },
    };
    expect(toGeminiSchema(schema)).toEqual({
      schema: {
        type: "object",
        properties: {
          pattern: { type: "string" },
          n: { type: "number", minimum: 0, maximum: 10 },
          list: { type: "array", items: { type: "string" } },
          not: {},
        },
      },
    });
  });

  it("renames definitions to $defs, moves a $ref's siblings beside it, and makes tuple items prefixItems", () => {
    const schema = {
      type: "object",
      definitions: { Pt: { type: "object", properties: { x: { type: "number" } } } },
      properties: {
        a: { $ref: "#/definitions/Pt" },
        b: { $ref: "#/$defs/Pt", description: "the other point" },
        pair: { type: "array", items: [{ type: "string" }, { type: "number" }] },
      },
    };
    expect(toGeminiSchema(schema)).toEqual({
      schema: {
        type: "object",
        $defs: { Pt: { type: "object", properties: { x: { type: "number" } } } },
        properties: {
          a: { $ref: "#/$defs/Pt" },
          b: { description: "the other point", anyOf: [{ $ref: "#/$defs/Pt" }] },
          pair: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }] },
        },
      },
    });
  });

  it("merges a single-schema allOf (pydantic's $ref with a description) into its node", () => {
    expect(toGeminiSchema({ type: "object", properties: { p: { allOf: [{ $ref: "#/$defs/P" }], description: "d" } } })).toEqual({
      schema: { type: "object", properties: { p: { description: "d", anyOf: [{ $ref: "#/$defs/P" }] } } },
    });
  });

  it("reports what has no equivalent with its path", () => {
    expect(toGeminiSchema({ type: "object", properties: { a: { allOf: [{ type: "string" }, { minLength: 1 }] } } })).toEqual({
      unsupported: { path: "properties.a.allOf", reason: expect.stringContaining("allOf") as unknown },
    });
    expect(toGeminiSchema({ anyOf: [{ type: "string" }], oneOf: [{ type: "number" }] })).toMatchObject({ unsupported: { path: "oneOf" } });
    expect(toGeminiSchema({ items: { $ref: "#/$defs/A", anyOf: [{ type: "string" }] } })).toMatchObject({ unsupported: { path: "items.$ref" } });
  });

  it("leaves boolean subschemas as they are", () => {
    expect(toGeminiSchema({ type: "object", additionalProperties: true, properties: { x: true } })).toEqual({
      schema: { type: "object", additionalProperties: true, properties: { x: true } },
    });
  });
});
