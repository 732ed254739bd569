/** Mutated OpenAI chat requests never crash the translation: each is translated, or refused with a 400 naming a field. */
import { describe, expect, it } from "vitest";
import { Complexity } from "../../../../gen/llmgateway/v1/types_pb.js";
import { mutations } from "../../../../test/helpers/json-mutate.js";
import { DoorFault } from "../door-fault.js";
import { toChatRequest } from "./chat-request.js";

const VALID = {
  model: "auto",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } }] },
    { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } }], reasoning_content: "t" },
    { role: "tool", tool_call_id: "c1", content: "18C" },
  ],
  tools: [{ type: "function", function: { name: "get_weather", description: "d", parameters: { type: "object" }, strict: true } }],
  tool_choice: { type: "function", function: { name: "get_weather" } },
  response_format: { type: "json_schema", json_schema: { name: "w", schema: { type: "object" }, strict: true } },
  reasoning_effort: "low",
  stop: ["END"],
  temperature: 0.3,
  max_completion_tokens: 100,
  stream: true,
  stream_options: { include_usage: true },
  metadata: { team: "a" },
};

describe("mutated OpenAI requests", () => {
  it("are translated or refused with a 400 that names a field, never a crash", () => {
    let refused = 0;
    for (const body of mutations(VALID, 3000, 11)) {
      try {
        toChatRequest(body, { tags: {}, complexity: Complexity.UNSPECIFIED, requestId: "r" });
      } catch (err) {
        expect(err, JSON.stringify(body)).toBeInstanceOf(DoorFault);
        const fault = err as DoorFault;
        expect(fault.status).toBe(400);
        expect(fault.param, JSON.stringify(body)).not.toBeNull();
        expect(fault.message.startsWith(`${fault.param ?? "?"}: `)).toBe(true);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });
});
