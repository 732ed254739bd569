/** The simulator's own rpm: fixed windows, OpenAI's headers on answers, a 429 past the limit. */
import { afterAll, describe, expect, it } from "vitest";
import { RateWindow } from "./rate-window.js";
import { startSimulator } from "./server.js";

describe("RateWindow", () => {
  it("lets `limit` requests through per minute and says what is left and when it resets", () => {
    const w = new RateWindow(2);
    expect(w.take(1_000)).toEqual({ ok: true, remaining: 1, resetMs: 60_000 });
    expect(w.take(31_000)).toEqual({ ok: true, remaining: 0, resetMs: 30_000 });
    expect(w.take(59_999)).toEqual({ ok: false, remaining: 0, resetMs: 1_001 });
    expect(w.take(61_000).ok).toBe(true);
  });
});

describe("a simulated endpoint with rpm", async () => {
  const sim = await startSimulator({ s: { kind: "openai", profile: { rpm: 2 } } });
  afterAll(() => sim.close());

  it("sends x-ratelimit headers and refuses the third request of the minute with 429 and retry-after", async () => {
    const call = () =>
      fetch(`${sim.baseUrl("s")}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "x", messages: [{ role: "user", content: "hi" }] }) });
    const [a, b, c] = [await call(), await call(), await call()];
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(a.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    expect(b.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(Number(c.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(sim.tally("s")).toMatchObject({ succeeded: 2, rateLimited: 1 });
  });
});
