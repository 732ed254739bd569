/** The faster string encoding gives protobuf-es the bytes TextEncoder gives, for every kind of string. */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { getTextEncoding } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { CompleteResponseSchema } from "../../gen/llmgateway/v1/gateway_pb.js";
import { useFastTextEncoding } from "./text-encoding.js";

const SAMPLES = ["", "req-42", "plain ASCII text ".repeat(80), "héllo wörld", "日本語のテキスト", "emoji 🚀🎉", "lone \ud800 surrogate", "\udfff first", "nul \u0000 inside", "\u{10ffff}"];

describe("useFastTextEncoding", () => {
  it("encodes every sample to TextEncoder's bytes, and protobuf messages round-trip", () => {
    const reference = new TextEncoder();
    useFastTextEncoding();
    useFastTextEncoding();
    const encoding = getTextEncoding();
    expect(encoding.encodeUtf8("x")).toBeInstanceOf(Buffer);
    for (const s of SAMPLES) expect(Buffer.from(encoding.encodeUtf8(s)).equals(Buffer.from(reference.encode(s)))).toBe(true);
    for (const s of SAMPLES) {
      const message = create(CompleteResponseSchema, { requestId: s, text: s, model: "m" });
      const decoded = fromBinary(CompleteResponseSchema, toBinary(CompleteResponseSchema, message));
      expect(decoded.text).toBe(new TextDecoder().decode(reference.encode(s)));
    }
  });
});
