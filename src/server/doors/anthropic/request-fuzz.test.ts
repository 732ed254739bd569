/** Mutated Anthropic requests never crash the translation: each is translated, or refused with a 400 naming a field. */
import { describe, expect, it } from "vitest";
import { Complexity } from "../../../../gen/llmgateway/v1/types_pb.js";
import { DoorFault } from "../door-fault.js";
import { toDoorRequest } from "./request.js";
import { mutations } from "../../../../test/helpers/json-mutate.js";

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

describe("mutated requests", () => {
  it("are translated or refused with a 400 that names a field, never a crash", () => {
    let refused = 0;
    for (const body of mutations(VALID, 3000, 7)) {
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
