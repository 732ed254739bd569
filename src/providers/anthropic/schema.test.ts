import { describe, expect, it } from "vitest";
import { toAnthropicSchema } from "./schema.js";

describe("toAnthropicSchema", () => {
  it("keeps structure, forces additionalProperties false, and quotes rejected constraints as description hints", () => {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      title: "Order",
      properties: {
        id: { type: "string", format: "uuid", pattern: "^[a-f0-9-]+$" },
        qty: { type: "integer", description: "How many", minimum: 1, maximum: 10 },
        items: { type: "array", items: { type: "object", properties: { sku: { const: "A1" } } }, minItems: 2, maxItems: 5, uniqueItems: true },
        when: { type: "string", format: "date-time" },
        colour: { type: "string", format: "color", enum: ["red", "blue"] },
        extra: { type: "object", additionalProperties: true },
      },
      required: ["id", "qty"],
      additionalProperties: true,
    };
    expect(toAnthropicSchema(schema)).toEqual({
      schema: {
        type: "object",
        title: "Order",
        properties: {
          id: { type: "string", format: "uuid", description: '{pattern: "^[a-f0-9-]+$"}' },
          qty: { type: "integer", description: "How many\n\n{minimum: 1, maximum: 10}" },
          items: {
            type: "array",
            items: { type: "object", properties: { sku: { type: "string", const: "A1" } }, additionalProperties: false },
            description: "{minItems: 2, maxItems: 5, uniqueItems: true}",
          },
          when: { type: "string", format: "date-time" },
          colour: { type: "string", enum: ["red", "blue"], description: '{format: "color"}' },
          extra: { type: "object", properties: {}, additionalProperties: false },
        },
        required: ["id", "qty"],
        additionalProperties: false,
      },
    });
  });

  it("turns oneOf into anyOf, type lists into anyOf, keeps allOf and local references with their definitions", () => {
    const schema = {
      type: "object",
      $defs: { point: { type: "object", properties: { x: { type: "number", multipleOf: 0.5 } } } },
      definitions: { old: { type: "boolean" } },
      properties: {
        shape: { oneOf: [{ $ref: "#/$defs/point" }, { type: "string", minLength: 1 }] },
        maybe: { type: ["integer", "null"], description: "or nothing", minimum: 0 },
        both: { allOf: [{ $ref: "#/definitions/old" }] },
        single: { type: ["string"] },
      },
    };
    expect(toAnthropicSchema(schema)).toEqual({
      schema: {
        type: "object",
        $defs: { point: { type: "object", properties: { x: { type: "number", description: "{multipleOf: 0.5}" } }, additionalProperties: false } },
        definitions: { old: { type: "boolean" } },
        properties: {
          shape: { anyOf: [{ $ref: "#/$defs/point" }, { type: "string", description: "{minLength: 1}" }] },
          maybe: { anyOf: [{ type: "integer", description: "{minimum: 0}" }, { type: "null" }], description: "or nothing" },
          both: { allOf: [{ $ref: "#/definitions/old" }] },
          single: { type: "string" },
        },
        additionalProperties: false,
      },
    });
  });

  it("keeps minItems 0 and 1, infers types from properties, items and enums", () => {
    expect(toAnthropicSchema({ properties: { a: { items: { enum: [1, 2] }, minItems: 1 } } })).toEqual({
      schema: { type: "object", properties: { a: { type: "array", items: { type: "number", enum: [1, 2] }, minItems: 1 } }, additionalProperties: false },
    });
  });

  it.each([
    [{ type: "object", properties: { a: {} } }, "properties.a", "without a type"],
    [{ type: "object", properties: { a: true } }, "properties.a", "boolean schemas"],
    [{ type: "object", additionalProperties: { type: "string" } }, "additionalProperties", "free keys"],
    [{ type: "object", patternProperties: { "^x": { type: "string" } } }, "patternProperties", "patternProperties"],
    [{ type: "array", items: [{ type: "string" }] }, "items", "tuple"],
    [{ $ref: "https://example.com/s.json" }, "$ref", "local references"],
    [{}, "", "without a type"],
  ] as const)("refuses %j at %s: no faithful translation", (schema, path, reason) => {
    const r = toAnthropicSchema(schema);
    expect(r).toMatchObject({ unsupported: { path } });
    expect("unsupported" in r ? r.unsupported.reason : "").toContain(reason);
  });
});
