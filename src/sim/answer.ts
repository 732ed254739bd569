/** The deterministic answer a simulated model gives, and its token counts. */

/** A parsed request, whatever the wire format. */
export interface SimRequest {
  readonly model: string;
  /** All message text, for counting input tokens. */
  readonly prompt: string;
  readonly maxTokens: number | undefined;
  readonly stream: boolean;
  /** OpenAI: whether the stream should end with a usage chunk. */
  readonly includeUsage: boolean;
}

/** The answer: its chunks (one token each) and usage. */
export interface SimAnswer {
  readonly chunks: readonly string[];
  readonly inputTokens: number;
  readonly cachedTokens: number;
  /** Output tokens the provider reports: the chunks, unless a hostile profile says otherwise. */
  readonly outputTokens: number;
  readonly finish: "stop" | "length";
}

const WORDS = ["The", "gateway", "answers", "from", "a", "simulated", "model", "with", "exact", "usage", "and", "cost"];

/** Input tokens of a prompt: one per four characters, at least one (like common tokenizers, roughly). */
export function countInputTokens(prompt: string): number {
  return Math.max(1, Math.ceil(prompt.length / 4));
}

/** Builds the answer to a request: `answerWords` tokens, cut at max_tokens (reporting `reportOutputTokens` when given). */
export function answer(req: SimRequest, answerWords: number, cachedTokens: number, reportOutputTokens?: number): SimAnswer {
  const limit = req.maxTokens ?? Number.MAX_SAFE_INTEGER;
  const n = Math.min(answerWords, limit);
  const chunks: string[] = [];
  for (let i = 0; i < n; i++) chunks.push((i === 0 ? "" : " ") + (WORDS[i % WORDS.length] ?? "x"));
  const inputTokens = countInputTokens(req.prompt);
  return {
    chunks,
    inputTokens,
    cachedTokens: Math.min(cachedTokens, inputTokens),
    outputTokens: reportOutputTokens ?? chunks.length,
    finish: n < answerWords ? "length" : "stop",
  };
}
