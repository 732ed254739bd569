/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core) against a running gateway with known
 * ledger contents: the page's figures equal the report's, a user key sees only its own rows, a wrong key gets a
 * clear message, nothing is put in the URL; screenshots at desktop and phone widths go to .test-out/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dimension } from "../../gen/llmgateway/v1/cost_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && REQUIRE_ALL_CLIENTS) throw new Error("chromium is required (apt-get install chromium; see .ci/run)");

const ADMIN = newClientKey();
const USER = newClientKey();
const OUT = ".test-out";
let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
  h = await startHarness({
    endpoints: { sim: { kind: "openai" }, other: { kind: "gemini" } },
    config: {
      models: { cheap: { provider: "sim", pricing }, dear: { provider: "other", pricing: { inputPerMTok: 5, outputPerMTok: 15 } } },
      auth: { keys: { ops: { sha256: keyHash(ADMIN), role: "admin" }, team: { sha256: keyHash(USER), allow: ["cheap"] } } },
    },
  });
  const ask = (model: string) => ({ model, messages: [{ role: Role.USER, content: "hi" }] });
  for (let i = 0; i < 6; i++) await h.connect.complete(ask(i % 2 === 0 ? "cheap" : "dear"), { headers: { authorization: `Bearer ${ADMIN}` } });
  for (let i = 0; i < 3; i++) await h.connect.complete(ask("cheap"), { headers: { authorization: `Bearer ${USER}` } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  mkdirSync(OUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The report a key gets for the page's default period (the last 30 days), split by model. */
async function report(key: string): Promise<{ requests: number; cost: string; rows: string[][] }> {
  const end = new Date();
  const start = new Date(end.getTime() - 30 * 24 * 3600 * 1000);
  const r = await h.connect.getCostReport({ startTime: { seconds: BigInt(Math.floor(start.getTime() / 1000)) }, groupBy: [Dimension.MODEL] }, { headers: { authorization: `Bearer ${key}` } });
  return { requests: Number(r.total?.requests), cost: `$${r.total?.cost?.decimal ?? "0"}`, rows: r.groups.map((g) => [g.key["model"] ?? "", String(g.requests), `$${g.cost?.decimal ?? "0"}`]) };
}

/** Types a key into the page's form, and waits for the figures it gives. */
async function useKey(page: Page, key: string): Promise<void> {
  await page.fill("#key", key);
  await page.click("#key-form button[type=submit]");
}

/** The page's group table: model, requests, cost per row. */
async function pageRows(page: Page): Promise<string[][]> {
  return page.$$eval("[data-testid=groups] tr", (trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")).map((c) => [c[0] ?? "", (c[1] ?? "").replace(/,/g, ""), c[6] ?? ""]));
}

describe.skipIf(!available)("the dashboard in headless Chromium", () => {
  it("asks for a key, refuses a wrong one clearly, and shows an admin exactly the report's figures", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://${h.address}/dashboard/`);
    await expect.poll(() => page.textContent("[data-testid=status]")).toContain("needs a client key");
    await useKey(page, "sk-not-a-key");
    await expect.poll(() => page.textContent("[data-testid=status]")).toContain("This key was refused");
    await useKey(page, ADMIN);
    const want = await report(ADMIN);
    await expect.poll(() => page.textContent("[data-testid=card-requests]")).toBe(String(want.requests));
    expect(await page.textContent("[data-testid=card-spend]")).toBe(want.cost);
    expect((await pageRows(page)).sort()).toEqual([...want.rows].sort());
    expect(want.requests).toBe(9);
    // The key lives in the tab's session, never in the address.
    expect(page.url()).not.toContain(ADMIN);
    expect(await page.evaluate("sessionStorage.getItem('llmgateway.dashboard.key')")).toBe(ADMIN);
    expect(await page.$$eval("[data-testid=models] tr", (trs) => trs.length - 1)).toBe(2);
    await page.screenshot({ path: `${OUT}/dashboard-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${OUT}/dashboard-phone.png`, fullPage: true });
    await page.close();
  });

  it("shows a user key only its own usage, and only the models it may use", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://${h.address}/dashboard/`);
    await useKey(page, USER);
    const want = await report(USER);
    expect(want.requests).toBe(3);
    await expect.poll(() => page.textContent("[data-testid=card-requests]")).toBe("3");
    expect(await page.textContent("[data-testid=card-spend]")).toBe(want.cost);
    await page.selectOption("#dimension", "client_key");
    await expect.poll(() => page.$$eval("[data-testid=groups] td:first-child", (tds) => tds.map((td) => td.textContent))).toEqual(["team"]);
    expect(await page.$$eval("[data-testid=models] td:first-child", (tds) => tds.map((td) => td.textContent))).toEqual(["cheap"]);
    await page.close();
  });
});
