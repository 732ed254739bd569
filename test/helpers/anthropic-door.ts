/** Helpers for the Anthropic door's tests: an SDK client that records each HTTP status it got, and raw posts. */
import Anthropic from "@anthropic-ai/sdk";

/** An SDK client on a gateway, and the statuses of every HTTP response it received (retries included). */
export interface RecordingClient {
  readonly client: Anthropic;
  readonly statuses: number[];
}

/** The official SDK pointed at the gateway with a key (sent as `x-api-key`). */
export function anthropicClient(address: string, apiKey: string, maxRetries = 0): RecordingClient {
  const statuses: number[] = [];
  const record: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    statuses.push(res.status);
    return res;
  };
  return { client: new Anthropic({ apiKey, baseURL: `http://${address}`, maxRetries, fetch: record, timeout: 20_000 }), statuses };
}

/** A raw answer: status, headers and the body parsed as JSON when it is. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

/** Posts a raw body to /v1/messages. */
export async function postMessages(address: string, body: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const res = await fetch(`http://${address}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers }, body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The `event:` names of an SSE text, in order. */
export function eventNames(sse: string): string[] {
  return [...sse.matchAll(/^event: (.+)$/gm)].map((m) => m[1] ?? "");
}

/** The parsed `data:` payloads of an SSE text, in order. */
export function eventData(sse: string): Array<Record<string, unknown>> {
  return [...sse.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1] ?? "{}") as Record<string, unknown>);
}
