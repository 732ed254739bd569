import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { EDGE_DEFAULTS } from "../config/edge.js";
import { EdgeGuard } from "./edge-guard.js";

/** A socket as far as the guard looks at it. */
function fakeSocket(port: number): Socket & { destroyed: boolean } {
  const s = Object.assign(new EventEmitter(), { remoteAddress: "127.0.0.1", remotePort: port, destroyed: false, destroy() {
    s.destroyed = true;
    s.emit("close");
    return s;
  } });
  return s as unknown as Socket & { destroyed: boolean };
}

describe("EdgeGuard admission", () => {
  it("counts open connections, refuses past limit + reserve, and logs once per burst", () => {
    const lines: string[] = [];
    let now = 0;
    const log = { log: (_level: string, msg: string) => void lines.push(msg) };
    const guard = new EdgeGuard({ ...EDGE_DEFAULTS, maxConnections: 2, healthConnections: 1 }, log, undefined, () => now);
    const open = [1, 2, 3].map(fakeSocket);
    expect(open.map((s) => guard.accept(s))).toEqual(["serve", "serve", "health-only"]);
    for (let i = 0; i < 100; i++) expect(guard.accept(fakeSocket(100 + i))).toBe("refuse");
    expect(guard.stats).toMatchObject({ open: 3, refused: 100 });
    expect(lines).toHaveLength(1);
    now = 60_000;
    guard.accept(fakeSocket(500));
    expect(lines).toHaveLength(2);
    open[0]?.destroy();
    expect(guard.stats.open).toBe(2);
    expect(guard.accept(fakeSocket(600))).toBe("health-only");
    for (const s of open) s.destroy();
  });
});
