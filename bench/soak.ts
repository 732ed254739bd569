/** The soak: mixed load (gRPC unary, Connect unary, gRPC streams) for a fixed time, RSS sampled after every segment. */
import type { Drivers } from "./drivers.js";
import type { Proc } from "./procs.js";
import { sample } from "./procs.js";
import type { Settings } from "./scenario.js";
import { median, slope } from "./stats.js";

/** What the soak measured. */
export interface SoakResult {
  readonly seconds: number;
  readonly requests: number;
  /** [seconds since start, RSS bytes] after each segment. */
  readonly rss: ReadonlyArray<readonly [number, number]>;
  /** Median RSS of the first and the last fifth of the samples, bytes. */
  readonly firstRss: number;
  readonly lastRss: number;
  /** Least-squares growth over the second half, bytes per minute. */
  readonly slopePerMin: number;
}

/** Runs segments in turn (gRPC 16x4, Connect 16, 16 stream loops) until `soakSeconds` have passed. */
export async function soak(d: Drivers, gw: Proc, s: Settings, log: (m: string) => void): Promise<SoakResult> {
  const t0 = performance.now();
  const rss: Array<readonly [number, number]> = [];
  let requests = 0;
  const seg = s.soakSegmentS;
  for (let i = 0; (performance.now() - t0) / 1000 + seg <= s.soakSeconds + 0.5; i++) {
    switch (i % 3) {
      case 0:
        requests += (await d.grpc(gw.port, 16, 4, { seconds: seg })).ok;
        break;
      case 1:
        requests += (await d.connect(gw.port, 16, seg)).ok;
        break;
      default:
        requests += await d.streamLoad(gw.port, 16, seg);
    }
    const at = (performance.now() - t0) / 1000;
    rss.push([at, sample(gw.pid).rssBytes]);
    if (i % 12 === 11) log(`soak ${Math.round(at)} s, RSS ${(sample(gw.pid).rssBytes / 1048576).toFixed(1)} MiB`);
  }
  const fifth = Math.max(1, Math.floor(rss.length / 5));
  const half = rss.slice(Math.floor(rss.length / 2));
  return {
    seconds: (performance.now() - t0) / 1000,
    requests,
    rss,
    firstRss: median(rss.slice(0, fifth).map((r) => r[1])),
    lastRss: median(rss.slice(-fifth).map((r) => r[1])),
    slopePerMin: slope(
      half.map((r) => r[0] / 60),
      half.map((r) => r[1]),
    ),
  };
}
