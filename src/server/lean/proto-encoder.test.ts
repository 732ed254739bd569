/**
 * The compiled encoder writes exactly protobuf-es's bytes: random messages of every schema of the contract
 * (edge values, unicode, nested and repeated messages, oneofs, unset optionals), compiled or left to toBinary.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescField, DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import * as cost from "../../../gen/llmgateway/v1/cost_pb.js";
import * as gateway from "../../../gen/llmgateway/v1/gateway_pb.js";
import * as models from "../../../gen/llmgateway/v1/models_pb.js";
import * as types from "../../../gen/llmgateway/v1/types_pb.js";
import { encodeMessage, planOf } from "./proto-encoder.js";

/** A seeded generator, so a failure repeats. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STRINGS = ["", "a", "req-0123456789abcdef", "héllo wörld", "日本語", "emoji 🚀", "lone \ud800 surrogate", "x".repeat(200), "y".repeat(20_000)];
const INT32 = [0, 1, -1, 127, 128, 300, 2 ** 31 - 1, -(2 ** 31), 16_384];
const UINT32 = [0, 1, 127, 128, 16_383, 16_384, 2 ** 32 - 1];
const INT64 = [0n, 1n, -1n, 127n, 128n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 123_456_789_012n];
const UINT64 = [0n, 1n, 127n, 128n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function scalar(r: () => number, t: ScalarType): unknown {
  switch (t) {
    case ScalarType.STRING:
      return pick(r, STRINGS);
    case ScalarType.BOOL:
      return r() < 0.5;
    case ScalarType.INT32:
      return pick(r, INT32);
    case ScalarType.UINT32:
      return pick(r, UINT32);
    case ScalarType.INT64:
      return pick(r, INT64);
    case ScalarType.UINT64:
      return pick(r, UINT64);
    case ScalarType.DOUBLE:
      return pick(r, [0, 1.5, -2.25, 1e300]);
    default:
      return undefined;
  }
}

function value(r: () => number, f: DescField, depth: number): unknown {
  switch (f.fieldKind) {
    case "scalar":
      return scalar(r, f.scalar);
    case "enum":
      return pick(r, f.enum.values).number;
    case "message":
      return depth > 3 ? undefined : random(r, f.message, depth + 1);
    case "list":
      if (f.listKind === "message") return depth > 3 ? [] : Array.from({ length: Math.floor(r() * 3) }, () => random(r, f.message, depth + 1));
      if (f.listKind === "enum") return Array.from({ length: Math.floor(r() * 3) }, () => pick(r, f.enum.values).number);
      return Array.from({ length: Math.floor(r() * 3) }, () => scalar(r, f.scalar));
    case "map":
      return r() < 0.5 ? {} : { k: f.mapKind === "scalar" ? scalar(r, f.scalar) : undefined };
  }
}

/** A message of `schema` with each field set or not at random (each oneof: one of its members or none). */
function random(r: () => number, schema: DescMessage, depth = 0): Message {
  const init: Record<string, unknown> = {};
  for (const f of schema.fields) {
    if (r() < 0.3) continue;
    const v = value(r, f, depth);
    if (v === undefined) continue;
    if (f.oneof) {
      if (init[f.oneof.localName] === undefined || r() < 0.5) init[f.oneof.localName] = { case: f.localName, value: v };
    } else init[f.localName] = v;
  }
  return create(schema, init as MessageInitShape<DescMessage>);
}

const schemas: DescMessage[] = [gateway, types, cost, models].flatMap((mod) => Object.values(mod).filter((v): v is DescMessage => typeof v === "object" && v !== null && "kind" in v && v.kind === "message"));

describe("encodeMessage", () => {
  it("compiles the responses the fast paths send and leaves the rest to toBinary", () => {
    for (const s of [gateway.CompleteResponseSchema, gateway.StreamCompleteResponseSchema, types.AttemptSchema, types.UsageSchema]) expect(planOf(s)).not.toBeNull();
    // Doubles and maps are not compiled.
    expect(planOf(gateway.CompleteRequestSchema)).toBeNull();
    expect(planOf(cost.GetCostReportRequestSchema)).toBeNull();
  });

  it("writes toBinary's bytes for random messages of every schema", () => {
    expect(schemas.length).toBeGreaterThan(15);
    const r = rng(42);
    for (const schema of schemas) {
      for (let i = 0; i < 200; i++) {
        const m = random(r, schema);
        const ours = encodeMessage(schema, m);
        const theirs = toBinary(schema, m);
        if (!Buffer.from(ours).equals(Buffer.from(theirs))) throw new Error(`${schema.typeName} #${i}: bytes differ`);
      }
    }
  });

  it("keeps unknown fields by leaving such a message to toBinary", () => {
    const withUnknown = fromBinary(types.UsageSchema, Buffer.from([0x08, 0x05, 0xf8, 0x06, 0x01]));
    expect(Buffer.from(encodeMessage(types.UsageSchema, withUnknown))).toEqual(Buffer.from(toBinary(types.UsageSchema, withUnknown)));
    expect(encodeMessage(types.UsageSchema, withUnknown)).toHaveLength(5);
  });

  it("refuses, as toBinary does, an integer out of its field's range instead of writing a varint no reader takes", () => {
    const cases: Array<[DescMessage, MessageInitShape<DescMessage>]> = [
      [types.UsageSchema, { outputTokens: 10n ** 30n }],
      [types.UsageSchema, { inputTokens: 2n ** 64n }],
      [types.UsageSchema, { outputTokens: -1n }],
      [types.AttemptSchema, { number: 2 ** 32 }],
    ];
    for (const [schema, init] of cases) {
      const m = create(schema, init);
      const theirs = (() => {
        try {
          toBinary(schema, m);
          return "no error";
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(() => encodeMessage(schema, m)).toThrow(theirs);
    }
    expect(Buffer.from(encodeMessage(types.UsageSchema, create(types.UsageSchema, { outputTokens: 2n ** 64n - 1n })))).toEqual(
      Buffer.from(toBinary(types.UsageSchema, create(types.UsageSchema, { outputTokens: 2n ** 64n - 1n }))),
    );
  });
});
