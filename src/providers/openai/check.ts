/** What of a request OpenAI Chat Completions cannot carry: only base64 images of a type it does not read. */
import type { ChatRequest, Unsupported } from "../types.js";

/** Image types OpenAI accepts as bytes (png, jpeg, webp, non-animated gif). */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** The first part of a request OpenAI cannot take, by its contract field path; undefined when it takes all. */
export function checkOpenAi(request: ChatRequest): Unsupported | undefined {
  const messages = request.messages;
  for (let i = 0; i < messages.length; i++) {
    const parts = messages[i]?.parts;
    if (parts === undefined) continue;
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j];
      if (p?.type !== "image" || p.image.kind !== "base64") continue;
      if (!IMAGE_TYPES.has(p.image.mediaType.toLowerCase())) {
        return { field: `messages[${i}].parts[${j}].image.media_type`, reason: `OpenAI does not accept ${p.image.mediaType} images (png, jpeg, gif, webp only)` };
      }
    }
  }
  return undefined;
}
