/** Exact nearest-rank percentiles over latency histograms of whole milliseconds. */
import type { Histogram } from "../ledger/ledger-store.js";

/** p50, p95 and p99 of a distribution, ms. */
export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Number of samples in a histogram. */
export function sampleCount(h: Histogram): number {
  let n = 0;
  for (const [, count] of h) n += count;
  return n;
}

/**
 * The nearest-rank percentile: the smallest value v such that at least p% of the samples are <= v
 * (rank ceil(p/100 * n), 1-based). Undefined for an empty histogram. `h` must be sorted by value.
 */
export function percentile(h: Histogram, p: number, n: number = sampleCount(h)): number | undefined {
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  let seen = 0;
  for (const [value, count] of h) {
    seen += count;
    if (seen >= rank) return value;
  }
  return h[h.length - 1]?.[0];
}

/** p50/p95/p99 of a histogram (one pass), or undefined when it has no samples (unknown, not 0). */
export function summarize(h: Histogram): Percentiles | undefined {
  const n = sampleCount(h);
  if (n === 0) return undefined;
  const ranks = [50, 95, 99].map((p) => Math.max(1, Math.ceil((p / 100) * n)));
  const found: number[] = [];
  let seen = 0;
  for (const [value, count] of h) {
    seen += count;
    while (found.length < 3 && seen >= (ranks[found.length] ?? 0)) found.push(value);
    if (found.length === 3) break;
  }
  return { p50: found[0] ?? 0, p95: found[1] ?? 0, p99: found[2] ?? 0 };
}

/** Adds histograms together (sorted by value), e.g. the groups' histograms into the total's. */
export function mergeHistograms(hs: readonly Histogram[]): Histogram {
  const counts = new Map<number, number>();
  for (const h of hs) for (const [value, count] of h) counts.set(value, (counts.get(value) ?? 0) + count);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}
