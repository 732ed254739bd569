/**
 * The cost and health dashboard on the gateway's port: `GET /dashboard/` serves a static page (its script, styles and
 * the uPlot chart library from the installed package: no CDN, works offline) that reads `GetCostReport` and
 * `ListModels` over Connect from the same origin, with the key the operator typed kept in the tab's session.
 * The page only reads; the RPCs scope what a key sees.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { FastPath } from "../lean/fast-path-common.js";

/** One file the dashboard serves. */
interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const ASSETS: ReadonlyArray<readonly [string, string, string]> = [
  ["", "index.html", "text/html; charset=utf-8"],
  ["app.js", "app.js", "text/javascript; charset=utf-8"],
  ["app.css", "app.css", "text/css; charset=utf-8"],
];

/** The page may load only its own files and call only its own origin; nothing inline, no frames. */
const SECURITY = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

/** Loads the page's files once (they are small). */
function loadAssets(): ReadonlyMap<string, Asset> {
  const dir = new URL("./assets/", import.meta.url);
  const files = new Map<string, Asset>();
  for (const [path, file, type] of ASSETS) files.set(path, { type, body: readFileSync(new URL(file, dir)) });
  const require = createRequire(import.meta.url);
  files.set("uPlot.js", { type: "text/javascript; charset=utf-8", body: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js")) });
  files.set("uPlot.css", { type: "text/css; charset=utf-8", body: readFileSync(require.resolve("uplot/dist/uPlot.min.css")) });
  return files;
}

/** Serves the dashboard's GET requests under `/dashboard`; declines everything else. */
export function createDashboard(): FastPath {
  let assets: ReadonlyMap<string, Asset> | undefined;
  return (req, res) => {
    const url = req.url ?? "/";
    if (!url.startsWith("/dashboard") || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (path === "/dashboard") {
      res.writeHead(308, { location: "/dashboard/" });
      res.end();
      return true;
    }
    if (!path.startsWith("/dashboard/")) return false;
    assets ??= loadAssets();
    const asset = assets.get(path.slice("/dashboard/".length));
    if (asset === undefined) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("not found");
      return true;
    }
    res.writeHead(200, { ...SECURITY, "content-type": asset.type, "content-length": String(asset.body.length) });
    if (req.method === "HEAD") res.end();
    else res.end(asset.body);
    return true;
  };
}
