import { describe, expect, it } from "vitest";
import { configFor } from "../../../test/helpers/gateway-fixture.js";
import type { ChatRequest } from "../../providers/types.js";
import { accountUsage, usageBounds } from "./usage-basis.js";
import type { UsageFacts } from "./usage-basis.js";

const config = configFor({ open: { defaultMaxTokens: 1000 }, windowed: { contextWindow: 8000 } });
const open = config.models.get("open");
const windowed = config.models.get("windowed");
if (!open || !windowed) throw new Error("models");
/** 40 characters: an estimate of 10 input tokens. */
const chat = (maxTokens?: number): ChatRequest => ({ messages: [{ role: "user", content: "x".repeat(40) }], params: maxTokens === undefined ? {} : { maxTokens } });
const facts = (over: Partial<UsageFacts> = {}): UsageFacts => ({ chat: chat(100), model: open, stream: true, seenChars: 0, seenEvents: 0, notBilled: false, ...over });

describe("usageBounds", () => {
  it("bounds the input by three bytes a character plus framing, or the window, and the output by max_tokens or the window, with a margin", () => {
    expect(usageBounds(chat(100), open)).toEqual({ input: Math.ceil((120 + 32 + 1024) * 1.25) + 64, output: 125 + 64 });
    expect(usageBounds(chat(), windowed).output).toBe(10_000 + 64);
    expect(usageBounds({ messages: [{ role: "user", content: "x".repeat(10_000) }], params: {} }, windowed).input).toBe(10_000 + 64);
  });
});

describe("accountUsage", () => {
  it("keeps a plausible report as it is", () => {
    const reported = { inputTokens: 12, outputTokens: 100, cachedInputTokens: 4 };
    expect(accountUsage(reported, facts())).toEqual({ usage: reported, basis: "reported" });
  });

  it("bounds counts beyond what the request could use, and parts beyond their wholes", () => {
    const { output, input } = usageBounds(chat(100), open);
    expect(accountUsage({ inputTokens: 12, outputTokens: 1e12 }, facts())).toEqual({ usage: { inputTokens: 12, outputTokens: output }, basis: "bounded" });
    expect(accountUsage({ inputTokens: 1e30, outputTokens: Infinity }, facts()).usage).toMatchObject({ inputTokens: input, outputTokens: output });
    expect(accountUsage({ inputTokens: -5, outputTokens: Number.NaN }, facts())).toEqual({ usage: { inputTokens: 0, outputTokens: 0 }, basis: "bounded" });
    expect(accountUsage({ inputTokens: 10, outputTokens: 5, cachedInputTokens: 50 }, facts())).toEqual({
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 10 },
      basis: "bounded",
    });
    expect(accountUsage({ inputTokens: 10, outputTokens: 5.5 }, facts())).toEqual({ usage: { inputTokens: 10, outputTokens: 5 }, basis: "bounded" });
    expect(accountUsage({ inputTokens: 10, outputTokens: 5, imageInputTokens: 50 }, facts())).toEqual({
      usage: { inputTokens: 10, outputTokens: 5, imageInputTokens: 10 },
      basis: "bounded",
    });
  });

  it("allows for images in the bound: a picture's tokens are plausible", () => {
    const withImage: ChatRequest = { messages: [{ role: "user", content: "x", parts: [{ type: "text", text: "x" }, { type: "image", image: { kind: "url", url: "https://x.test/a.png" } }] }], params: { maxTokens: 10 } };
    expect(accountUsage({ inputTokens: 1_600, outputTokens: 10, imageInputTokens: 1_590 }, facts({ chat: withImage }))).toMatchObject({ basis: "reported" });
    expect(accountUsage({ inputTokens: 1_600, outputTokens: 10 }, facts({ chat: chat(10) }))).toMatchObject({ basis: "bounded" });
  });

  it("estimates an unreported usage from the prompt and what the client saw", () => {
    expect(accountUsage({}, facts({ seenEvents: 3, seenChars: 8 }))).toEqual({ usage: { inputTokens: 10, outputTokens: 3 }, basis: "estimated" });
    expect(accountUsage({}, facts({ seenEvents: 1, seenChars: 200 })).usage.outputTokens).toBe(50);
    // Never more than max_tokens.
    expect(accountUsage({}, facts({ seenEvents: 1, seenChars: 4000 })).usage.outputTokens).toBe(100);
    // A reported count is kept; only the missing one is estimated.
    expect(accountUsage({ inputTokens: 7 }, facts({ seenEvents: 2 }))).toEqual({ usage: { inputTokens: 7, outputTokens: 2 }, basis: "estimated" });
  });

  it("takes a unary call that gave nothing back at its upper bound: max_tokens, else the model's default", () => {
    expect(accountUsage({}, facts({ stream: false })).usage).toEqual({ inputTokens: 10, outputTokens: 100 });
    expect(accountUsage({}, facts({ stream: false, chat: chat() })).usage).toEqual({ inputTokens: 10, outputTokens: 1000 });
    // A stream that sent nothing: the provider stops at the disconnect; the prompt is billed.
    expect(accountUsage({}, facts()).usage).toEqual({ inputTokens: 10, outputTokens: 0 });
  });

  it("leaves unknown what the provider cannot have billed", () => {
    expect(accountUsage({}, facts({ notBilled: true }))).toEqual({ usage: {}, basis: "reported" });
  });
});
