/**
 * Which stored data answers a time range: whole UTC days from `rollup_day`, whole hours from
 * `rollup_hour`, the partial hours at the edges from raw rows already rolled up, and every raw row
 * not rolled up yet (the tail, id > watermark). The segments are disjoint and cover the range.
 */

const HOUR_MS = 3_600_000;

/** One part of a report's range. Bucket ranges are [from, to) in hour or day numbers. */
export type Segment =
  | { readonly kind: "day"; readonly from: number; readonly to: number }
  | { readonly kind: "hour"; readonly from: number; readonly to: number }
  /** Raw rows with id <= watermark and time in [fromMs, toMs). */
  | { readonly kind: "edge"; readonly fromMs: number; readonly toMs: number }
  /** Raw rows with id > watermark and time in [fromMs, toMs). */
  | { readonly kind: "tail"; readonly fromMs: number; readonly toMs: number };

/** Splits [startMs, endMs); `byHour` when the report groups by hour (day rollups cannot answer it). */
export function planSegments(startMs: number, endMs: number, byHour: boolean): Segment[] {
  if (endMs <= startMs) return [];
  const segments: Segment[] = [{ kind: "tail", fromMs: startMs, toMs: endMs }];
  const hs = Math.ceil(startMs / HOUR_MS);
  const he = Math.floor(endMs / HOUR_MS);
  if (hs >= he) return [...segments, { kind: "edge", fromMs: startMs, toMs: endMs }];
  if (startMs < hs * HOUR_MS) segments.push({ kind: "edge", fromMs: startMs, toMs: hs * HOUR_MS });
  if (he * HOUR_MS < endMs) segments.push({ kind: "edge", fromMs: he * HOUR_MS, toMs: endMs });
  const ds = Math.ceil(hs / 24);
  const de = Math.floor(he / 24);
  if (byHour || ds >= de) return [...segments, { kind: "hour", from: hs, to: he }];
  if (hs < ds * 24) segments.push({ kind: "hour", from: hs, to: ds * 24 });
  if (de * 24 < he) segments.push({ kind: "hour", from: de * 24, to: he });
  return [...segments, { kind: "day", from: ds, to: de }];
}
