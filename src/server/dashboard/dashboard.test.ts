import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboard } from "./dashboard.js";

let base: string;
const server = createServer((req, res) => {
  if (!createDashboard()(req, res)) res.writeHead(418).end();
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the dashboard's files", () => {
  it("serves the page, its script and the chart library from the installed package, locked to its own origin", async () => {
    const page = await fetch(`${base}/dashboard/`);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script src="app.js"></script>');
    for (const [file, type] of [["app.js", "text/javascript"], ["app.css", "text/css"], ["uPlot.js", "text/javascript"], ["uPlot.css", "text/css"]] as const) {
      const res = await fetch(`${base}/dashboard/${file}`);
      expect([res.status, res.headers.get("content-type")?.split(";")[0]], file).toEqual([200, type]);
      expect((await res.arrayBuffer()).byteLength, file).toBeGreaterThan(500);
    }
  });

  it("redirects /dashboard, answers 404 for other files, and leaves other methods and paths to the next handler", async () => {
    const bare = await fetch(`${base}/dashboard?x=1`, { redirect: "manual" });
    expect([bare.status, bare.headers.get("location")]).toEqual([308, "/dashboard/"]);
    expect((await fetch(`${base}/dashboard/../../etc/passwd`)).status).not.toBe(200);
    expect((await fetch(`${base}/dashboard/secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard/`, { method: "POST", body: "{}" })).status).toBe(418);
    expect((await fetch(`${base}/dashboards`)).status).toBe(418);
  });
});
