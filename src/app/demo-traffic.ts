/**
 * The demo's opening traffic: a short, bounded load of simulated requests through the gateway's own OpenAI door
 * (models, routes, streams, embeddings, tags), so that `npm start` opens with something on the dashboard.
 */

/** One request of the built-in load. */
interface DemoCall {
  readonly path: "/v1/chat/completions" | "/v1/embeddings";
  readonly body: Record<string, unknown>;
  readonly team: string;
}

const TEAMS = ["search", "support", "research"] as const;
const TARGETS = ["auto", "cheap", "balanced", "fast", "premium", "gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2"] as const;

/** The calls of the load: `count` of them, the same every start. */
export function demoCalls(count: number): DemoCall[] {
  const calls: DemoCall[] = [];
  for (let i = 0; i < count; i++) {
    const team = TEAMS[i % TEAMS.length] ?? "search";
    if (i % 10 === 9) {
      calls.push({ path: "/v1/embeddings", team, body: { model: "embed", input: [`document ${i}`, `query ${i}`] } });
      continue;
    }
    const model = TARGETS[i % TARGETS.length] ?? "auto";
    calls.push({ path: "/v1/chat/completions", team, body: { model, stream: i % 3 === 0, messages: [{ role: "user", content: `Demo question ${i}: what is a circuit breaker?` }] } });
  }
  return calls;
}

/** Sends the load to the gateway at `baseUrl`, a few at a time; resolves with how many were answered. */
export async function runDemoTraffic(baseUrl: string, count = 60, concurrency = 4): Promise<number> {
  const calls = demoCalls(count);
  let next = 0;
  let answered = 0;
  const worker = async (): Promise<void> => {
    for (let call = calls[next++]; call !== undefined; call = calls[next++]) {
      const res = await fetch(`${baseUrl}${call.path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-llmgateway-tags": `team=${call.team},source=demo` },
        body: JSON.stringify(call.body),
      }).catch(() => undefined);
      if (res === undefined) continue;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) answered++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answered;
}
