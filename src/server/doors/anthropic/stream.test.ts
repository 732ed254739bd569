/** The stream encoder on literal fixtures: the contract's stream messages in, Anthropic's SSE text out. */
import { fromJson } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { StreamCompleteResponseSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { AnthropicStreamEncoder, PING_EVERY_MS } from "./stream.js";

const EXTRAS = { request_id: "r1", model: "claude", provider: "anth", attempts: 1, cost_usd: "0.000010", overhead_ms: 0.5 };
let clock = 0;
const encoder = () => new AnthropicStreamEncoder({ model: "claude", requestId: "r1", extras: () => EXTRAS, now: () => clock });
const msg = (json: JsonObject) => fromJson(StreamCompleteResponseSchema, json);

/** Runs the messages through one encoder; returns what each call wrote. */
function run(messages: readonly JsonObject[]): string[] {
  const e = encoder();
  return messages.map((m) => e.push(msg(m)));
}

const START =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_r1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{}}}\n\n' +
  'event: ping\ndata: {"type":"ping"}\n\n';
/** The usage of a summary that reported none: no counts, the cache counts null as Anthropic's type allows. */
const NO_USAGE = '{"cache_creation_input_tokens":null,"cache_read_input_tokens":null}';
const end = (stop: string, usage = '{"input_tokens":12,"cache_creation_input_tokens":null,"cache_read_input_tokens":null,"output_tokens":7}') =>
  `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"${stop}","stop_sequence":null},"usage":${usage},"llmgateway":${JSON.stringify(EXTRAS)}}\n\n` +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';
const blockStart = (i: number, block: string) => `event: content_block_start\ndata: {"type":"content_block_start","index":${i},"content_block":${block}}\n\n`;
const delta = (i: number, d: string) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":${i},"delta":${d}}\n\n`;
const stop = (i: number) => `event: content_block_stop\ndata: {"type":"content_block_stop","index":${i}}\n\n`;

describe("the Anthropic stream encoder", () => {
  it("streams text: message_start at the first message, one text block, message_delta with usage and the extras", () => {
    const out = run([{ delta: { text: "Hel" } }, { delta: { text: "lo" } }, { summary: { requestId: "r1", finishReason: "FINISH_REASON_STOP", usage: { inputTokens: "12", outputTokens: "7" } } }]);
    expect(out).toEqual([
      `${START}${blockStart(0, '{"type":"text","text":""}')}${delta(0, '{"type":"text_delta","text":"Hel"}')}`,
      delta(0, '{"type":"text_delta","text":"lo"}'),
      `${stop(0)}${end("end_turn")}`,
    ]);
  });

  it("streams a tool call in many fragments, never sending the start's {} as a fragment", () => {
    const out = run([
      { delta: { text: "Checking." } },
      { toolCall: { index: 0, id: "toolu_1", name: "get_weather" } },
      ...['{"ci', 'ty":', '"Par', 'is"}'].map((f) => ({ toolCall: { index: 0, arguments: f } })),
      { summary: { finishReason: "FINISH_REASON_TOOL_CALLS", toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' }] } },
    ]);
    expect(out.join("")).toBe(
      START +
        blockStart(0, '{"type":"text","text":""}') +
        delta(0, '{"type":"text_delta","text":"Checking."}') +
        stop(0) +
        blockStart(1, '{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}') +
        delta(1, '{"type":"input_json_delta","partial_json":"{\\"ci"}') +
        delta(1, '{"type":"input_json_delta","partial_json":"ty\\":"}') +
        delta(1, '{"type":"input_json_delta","partial_json":"\\"Par"}') +
        delta(1, '{"type":"input_json_delta","partial_json":"is\\"}"}') +
        stop(1) +
        end("tool_use", NO_USAGE),
    );
  });

  it("streams two parallel calls as two blocks in order; a call with no fragments gives {}", () => {
    const out = run([
      { toolCall: { index: 0, id: "a", name: "get_weather", arguments: '{"city":"Paris"}' } },
      { toolCall: { index: 1, id: "b", name: "now" } },
      { summary: { finishReason: "FINISH_REASON_TOOL_CALLS", toolCalls: [{ id: "a", name: "get_weather", arguments: '{"city":"Paris"}' }, { id: "b", name: "now", arguments: "{}" }] } },
    ]);
    expect(out.join("")).toBe(
      START +
        blockStart(0, '{"type":"tool_use","id":"a","name":"get_weather","input":{}}') +
        delta(0, '{"type":"input_json_delta","partial_json":"{\\"city\\":\\"Paris\\"}"}') +
        stop(0) +
        blockStart(1, '{"type":"tool_use","id":"b","name":"now","input":{}}') +
        delta(1, '{"type":"input_json_delta","partial_json":"{}"}') +
        stop(1) +
        end("tool_use", NO_USAGE),
    );
  });

  it("sends a thinking block's signature just before its stop, holding what follows until the summary brings it", () => {
    const out = run([
      { reasoning: { text: "Let me " } },
      { reasoning: { text: "think." } },
      { delta: { text: "Sunny." } },
      { summary: { finishReason: "FINISH_REASON_STOP", reasoning: [{ format: "anthropic", text: "Let me think.", signature: "sig_x" }, { format: "anthropic", redacted: "enc" }] } },
    ]);
    expect(out[0]).toBe(`${START}${blockStart(0, '{"type":"thinking","thinking":"","signature":""}')}${delta(0, '{"type":"thinking_delta","thinking":"Let me "}')}`);
    expect(out[1]).toBe(delta(0, '{"type":"thinking_delta","thinking":"think."}'));
    // The text must wait: the thinking block cannot close without its signature.
    expect(out[2]).toBe("");
    expect(out[3]).toBe(
      delta(0, '{"type":"signature_delta","signature":"sig_x"}') +
        stop(0) +
        blockStart(1, '{"type":"text","text":""}') +
        delta(1, '{"type":"text_delta","text":"Sunny."}') +
        stop(1) +
        // Redacted thinking is never streamed: it comes whole from the summary.
        blockStart(2, '{"type":"redacted_thinking","data":"enc"}') +
        stop(2) +
        end("end_turn", NO_USAGE),
    );
  });

  it("closes a thinking block with its signature as soon as the block's state arrives, so the text after it streams at once", () => {
    const out = run([
      { reasoning: { text: "Let me think." } },
      { reasoningBlock: { format: "anthropic", text: "Let me think.", signature: "sig_x" } },
      { delta: { text: "Sunny." } },
      { summary: { finishReason: "FINISH_REASON_STOP", reasoning: [{ format: "anthropic", text: "Let me think.", signature: "sig_x" }] } },
    ]);
    expect(out[1]).toBe(delta(0, '{"type":"signature_delta","signature":"sig_x"}') + stop(0));
    expect(out[2]).toBe(blockStart(1, '{"type":"text","text":""}') + delta(1, '{"type":"text_delta","text":"Sunny."}'));
    // The summary repeats the block: it is not sent twice.
    expect(out[3]).toBe(stop(1) + end("end_turn", NO_USAGE));
  });

  it("adds what the stream did not show as whole blocks at the end: a refusal, a streamed call's own signature", () => {
    const carrier = `llmgateway:call:${Buffer.from(JSON.stringify(["a", "c2ln"])).toString("base64url")}`;
    const out = run([
      { toolCall: { index: 0, id: "a", name: "f", arguments: "{}" } },
      { summary: { finishReason: "FINISH_REASON_TOOL_CALLS", toolCalls: [{ id: "a", name: "f", arguments: "{}", signature: "c2ln" }] } },
    ]);
    expect(out[1]).toBe(
      stop(0) +
        blockStart(1, '{"type":"thinking","thinking":"","signature":""}') +
        delta(1, '{"type":"thinking_delta","thinking":""}') +
        delta(1, `{"type":"signature_delta","signature":"${carrier}"}`) +
        stop(1) +
        end("tool_use", NO_USAGE),
    );
    const refused = run([{ summary: { finishReason: "FINISH_REASON_CONTENT_FILTER", refusal: "No." } }]);
    expect(refused[0]).toBe(`${START}${blockStart(0, '{"type":"text","text":""}')}${delta(0, '{"type":"text_delta","text":"No."}')}${stop(0)}${end("refusal", NO_USAGE)}`);
  });

  it("sends a ping every few seconds while output is held", () => {
    const e = encoder();
    clock = 1_000;
    e.push(msg({ reasoning: { text: "Hmm" } }));
    expect(e.push(msg({ delta: { text: "a" } }))).toBe("");
    clock += PING_EVERY_MS - 1;
    expect(e.push(msg({ delta: { text: "b" } }))).toBe("");
    clock += 1;
    expect(e.push(msg({ delta: { text: "c" } }))).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(e.push(msg({ delta: { text: "d" } }))).toBe("");
  });

  it("ends a stream that failed after its start with an error event, flushing what was held", () => {
    const e = encoder();
    expect(e.push(msg({ reasoning: { text: "Hmm" } }))).toContain("thinking_delta");
    expect(e.push(msg({ delta: { text: "Par" } }))).toBe("");
    const body = { type: "error", error: { type: "api_error", message: "the stream failed after it started" }, request_id: "r1" };
    expect(e.error(body)).toBe(
      // No state came for this thinking: it is marked as shown only, and dropped if sent back.
      delta(0, '{"type":"signature_delta","signature":"llmgateway:shown:"}') +
        stop(0) +
        blockStart(1, '{"type":"text","text":""}') +
        delta(1, '{"type":"text_delta","text":"Par"}') +
        `event: error\ndata: ${JSON.stringify(body)}\n\n`,
    );
    expect(e.finished).toBe(true);
  });

  it("gives the cached and written tokens apart from input_tokens in message_delta", () => {
    const out = run([{ delta: { text: "a" } }, { summary: { finishReason: "FINISH_REASON_LENGTH", usage: { inputTokens: "50", outputTokens: "9", cachedInputTokens: "20", cacheWriteTokens: "5" } } }]);
    expect(out[1]).toBe(`${stop(0)}${end("max_tokens", '{"input_tokens":25,"cache_creation_input_tokens":5,"cache_read_input_tokens":20,"output_tokens":9}')}`);
  });
});
