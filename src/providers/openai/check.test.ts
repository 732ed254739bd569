import { describe, expect, it } from "vitest";
import type { ChatMessage, ContentPart } from "../types.js";
import { checkOpenAi } from "./check.js";
const image = (mediaType: string): ContentPart => ({ type: "image", image: { kind: "base64", data: "AAAA", mediaType } });
const user = (...parts: ContentPart[]): ChatMessage => ({ role: "user", content: "look", parts: [{ type: "text", text: "look" }, ...parts] });

describe("openAiWire.check", () => {
  it("takes png, jpeg, gif and webp bytes and any URL image, tools, formats and reasoning", () => {
    const messages = [user(image("image/png"), image("image/jpeg"), image("image/GIF"), image("image/webp")), user({ type: "image", image: { kind: "url", url: "https://x.test/a.heic" } })];
    expect(
      checkOpenAi({
        messages,
        params: {},
        tools: [{ name: "f", parameters: { type: "array" }, strict: true }],
        toolChoice: { mode: "required" },
        responseFormat: { type: "json_object" },
        reasoning: { budgetTokens: 100_000 },
      }),
    ).toBeUndefined();
  });

  it("names the media type of an image type it does not read, by message and part index", () => {
    const messages: ChatMessage[] = [{ role: "system", content: "s" }, user(image("image/png")), user(image("image/heic"))];
    expect(checkOpenAi({ messages, params: {} })).toEqual({
      field: "messages[2].parts[1].image.media_type",
      reason: "OpenAI does not accept image/heic images (png, jpeg, gif, webp only)",
    });
  });
});
