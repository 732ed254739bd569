import { describe, expect, it } from "vitest";
import { EDGE_DEFAULTS, readEdge } from "./edge.js";
import { Reader } from "./reader.js";

describe("readEdge (server.limits)", () => {
  it("fills every field with its default", () => {
    const r = new Reader();
    expect(readEdge(r, {})).toEqual(EDGE_DEFAULTS);
    expect(r.issues).toEqual([]);
  });

  it("takes set fields and names bad ones by path", () => {
    const r = new Reader();
    const edge = readEdge(r, { idleStreamMs: 500, maxConnections: 0, headersTimeoutMs: "10s", maxStreams: 4 });
    expect(edge.idleStreamMs).toBe(500);
    expect(r.issues.map((i) => i.path).sort()).toEqual(["server.limits.headersTimeoutMs", "server.limits.maxConnections", "server.limits.maxStreams"]);
  });
});
