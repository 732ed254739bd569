import { describe, expect, it } from "vitest";
import { SseParser } from "./sse.js";
import type { SseEvent } from "./wire.js";

const enc = new TextEncoder();

/** Parses `bytes` fed in the given pieces (cut at `cuts`, ascending byte offsets), then ends. */
function parseAt(bytes: Uint8Array, cuts: readonly number[]): SseEvent[] {
  const parser = new SseParser();
  const out: SseEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...parser.end());
  return out;
}

function parse(text: string): SseEvent[] {
  return parseAt(enc.encode(text), []);
}

describe("SseParser", () => {
  it("reads named and unnamed events, several per chunk", () => {
    expect(parse('event: message_start\ndata: {"a":1}\n\ndata: plain\n\n')).toEqual([
      { event: "message_start", data: '{"a":1}' },
      { event: undefined, data: "plain" },
    ]);
  });

  it("joins multi-line data with LF and forgets the event name after dispatch", () => {
    expect(parse("event: x\ndata: one\ndata: two\ndata:\n\ndata: three\n\n")).toEqual([
      { event: "x", data: "one\ntwo\n" },
      { event: undefined, data: "three" },
    ]);
  });

  it("ignores comments, unknown fields and blank lines without data", () => {
    expect(parse(": keep-alive\n\nid: 7\nretry: 1000\n\n:comment\ndata: x\n: inside\n\n\n\n")).toEqual([
      { event: undefined, data: "x" },
    ]);
  });

  it("strips exactly one space after the colon and accepts a field without a colon", () => {
    expect(parse("data:x\n\ndata:  two spaces\n\ndata\n\n")).toEqual([
      { event: undefined, data: "x" },
      { event: undefined, data: " two spaces" },
      { event: undefined, data: "" },
    ]);
  });

  it("accepts CRLF, lone CR and LF line ends, mixed", () => {
    expect(parse("event: a\r\ndata: 1\r\n\r\ndata: 2\r\rdata: 3\n\ndata: 4\r\n\n")).toEqual([
      { event: "a", data: "1" },
      { event: undefined, data: "2" },
      { event: undefined, data: "3" },
      { event: undefined, data: "4" },
    ]);
  });

  it("does not read a CRLF split across chunks as two line ends", () => {
    // "\r" | "\n" in separate chunks must be one line end; two would dispatch an event early.
    const bytes = enc.encode("data: a\r\ndata: b\r\n\r\n");
    const crAt = "data: a\r".length;
    expect(parseAt(bytes, [crAt])).toEqual([{ event: undefined, data: "a\nb" }]);
  });

  it("strips a leading byte-order mark", () => {
    expect(parse("\uFEFFdata: x\n\n")).toEqual([{ event: undefined, data: "x" }]);
  });

  it("gives the same events for every split point and for byte-at-a-time feeding", () => {
    const text =
      ': hello\r\nevent: message_start\r\ndata: {"t":"héllo 🌍"}\r\n\r\n' +
      "data: line one\ndata: line two\n\n" +
      "event: ping\rdata: {}\r\r" +
      'data: {"done":true}\n\n';
    const bytes = enc.encode(text);
    const whole = parseAt(bytes, []);
    expect(whole).toEqual([
      { event: "message_start", data: '{"t":"héllo 🌍"}' },
      { event: undefined, data: "line one\nline two" },
      { event: "ping", data: "{}" },
      { event: undefined, data: '{"done":true}' },
    ]);
    for (let i = 1; i < bytes.length; i++) expect(parseAt(bytes, [i]), `split at ${i}`).toEqual(whole);
    for (let i = 1; i < bytes.length; i += 7) {
      for (let j = i + 1; j < bytes.length; j += 3) expect(parseAt(bytes, [i, j]), `split at ${i},${j}`).toEqual(whole);
    }
    expect(parseAt(bytes, Array.from({ length: bytes.length - 1 }, (_, k) => k + 1))).toEqual(whole);
  });

  it("returns events as soon as their blank line arrives, not later", () => {
    const parser = new SseParser();
    expect(parser.push(enc.encode("data: a\n"))).toEqual([]);
    expect(parser.push(enc.encode("\ndata: b"))).toEqual([{ event: undefined, data: "a" }]);
    expect(parser.push(enc.encode("\n\n"))).toEqual([{ event: undefined, data: "b" }]);
    expect(parser.end()).toEqual([]);
  });

  it("dispatches at the end an event whose lines are whole but lacks its blank line", () => {
    expect(parse("data: a\n\ndata: [DONE]\n")).toEqual([
      { event: undefined, data: "a" },
      { event: undefined, data: "[DONE]" },
    ]);
    expect(parse("data: a\r")).toEqual([{ event: undefined, data: "a" }]);
  });

  it("drops a last line cut mid-way, with its event", () => {
    expect(parse('data: a\n\nevent: x\ndata: {"type":"mess')).toEqual([{ event: undefined, data: "a" }]);
    expect(parse('data: {"first":\ndata: "cut')).toEqual([]);
  });

  it("reads a long line that arrives in many small chunks", () => {
    const payload = "x".repeat(100_000);
    const bytes = enc.encode(`data: ${payload}\n\n`);
    const cuts = Array.from({ length: Math.floor(bytes.length / 997) }, (_, k) => (k + 1) * 997);
    expect(parseAt(bytes, cuts)).toEqual([{ event: undefined, data: payload }]);
  });
});
