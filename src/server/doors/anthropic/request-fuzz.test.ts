/** Mutated Anthropic requests never crash the translation: each is translated, or refused with a 400 naming a field. */
import { describe, expect, it } from "vitest";
import { Complexity } from "../../../../gen/llmgateway/v1/types_pb.js";
import { DoorFault } from "../door-fault.js";
import { toDoorRequest } from "./request.js";

const VALID = {
  model: "claude",
  max_tokens: 2048,
  system: [{ type: "text", text: "Be brief." }],
  messages: [
    { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] },
    { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "s" }, { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "18C" }], is_error: false }] },
  ],
  tools: [{ name: "get_weather", description: "d", input_schema: { type: "object" } }],
  tool_choice: { type: "auto", disable_parallel_tool_use: true },
  thinking: { type: "enabled", budget_tokens: 1024 },
  output_config: { format: { type: "json_schema", schema: { type: "object" } }, effort: "low" },
  stop_sequences: ["END"],
  temperature: 0.3,
  stream: true,
};

const ODD: readonly unknown[] = [null, undefined, 0, -1, 1.5, 1e308, "", "x", true, [], [null], {}, { type: "text" }, { type: 7 }, "💥".repeat(3)];

/** A small deterministic random source (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every path of a JSON value (object keys and array indices). */
function paths(v: unknown, at: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => paths(x, [...at, i]))];
  if (typeof v === "object" && v !== null) return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  return [at];
}

/** A copy of `v` with the value at `path` replaced (or a key added beside it). */
function mutate(v: unknown, path: ReadonlyArray<string | number>, value: unknown, addKey: boolean): unknown {
  if (path.length === 0) return value;
  const copy: unknown = structuredClone(v);
  let node = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? "";
  if (addKey) node["unexpected_field"] = value;
  else node[last] = value;
  return copy;
}

describe("mutated requests", () => {
  it("are translated or refused with a 400 that names a field, never a crash", () => {
    const next = random(7);
    const all = paths(VALID);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const path = all[Math.floor(next() * all.length)] ?? [];
      const body = mutate(VALID, path, ODD[Math.floor(next() * ODD.length)], next() < 0.15);
      try {
        toDoorRequest(body, { tags: {}, complexity: Complexity.UNSPECIFIED, requestId: "r" });
      } catch (err) {
        expect(err, JSON.stringify(body)).toBeInstanceOf(DoorFault);
        const fault = err as DoorFault;
        expect(fault.status).toBe(400);
        expect(fault.message).toMatch(/^[a-z_]+(\.[\w]+)*: /);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });
});
