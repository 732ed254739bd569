/**
 * Mergeable latency sketches: counts per logarithmic bucket (a DDSketch with gamma 1.02), so a
 * percentile read from a sketch is within 1% of the true value (exact below 50 ms, where a
 * bucket holds one whole ms). Bucket counts add, so the sketch of merged groups is the merge of
 * their sketches: a report gives the same answer whether its rows were rolled up yet or not.
 * Stored as BLOBs of little-endian uint32 pairs (bucket, count), sorted by bucket.
 */
import type { Histogram } from "../ledger/ledger-store.js";
import { endianness } from "node:os";
import type { SqliteDatabase } from "../ledger/sqlite-driver.js";

const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);

const LITTLE_ENDIAN = endianness() === "LE";

/** The bucket of a latency in ms: 0 for 0, else 1 + ceil(log_gamma(ms)). */
export function bucketOf(ms: number): number {
  if (ms < 1) return 0;
  return 1 + Math.max(0, Math.ceil(Math.log(ms) / LOG_GAMMA - 1e-9));
}

/**
 * The value a bucket stands for: the one whole ms in its range when there is just one (latencies
 * are stored in whole ms, so that is exact), else the point of least relative error of the range.
 */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0;
  if (bucket === 1) return 1;
  const lo = GAMMA ** (bucket - 2);
  const hi = GAMMA ** (bucket - 1);
  if (Math.floor(hi) - Math.floor(lo) === 1) return Math.floor(hi);
  return (2 * hi) / (GAMMA + 1);
}

/** Bucket counts of one sketch, dense (bucket numbers stay below ~1,100 for a day in ms). */
export class Sketch {
  #counts = new Float64Array(512);
  #top = -1;

  /** Adds `count` samples to `bucket`. */
  add(bucket: number, count: number): void {
    if (bucket >= this.#counts.length) {
      const grown = new Float64Array(Math.max(bucket + 1, this.#counts.length * 2));
      grown.set(this.#counts);
      this.#counts = grown;
    }
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + count;
    if (bucket > this.#top) this.#top = bucket;
  }

  /** Adds the buckets of an encoded sketch (anything but a BLOB adds nothing). */
  addBlob(blob: unknown): void {
    if (!(blob instanceof Uint8Array)) return;
    const pairs = blob.byteLength >> 3;
    if (LITTLE_ENDIAN && blob.byteOffset % 4 === 0) {
      const u = new Uint32Array(blob.buffer, blob.byteOffset, pairs * 2);
      for (let i = 0; i < u.length; i += 2) this.add(u[i] ?? 0, u[i + 1] ?? 0);
      return;
    }
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    for (let i = 0; i < pairs * 8; i += 8) this.add(view.getUint32(i, true), view.getUint32(i + 4, true));
  }

  /** The samples of a bucket. */
  get(bucket: number): number {
    return this.#counts[bucket] ?? 0;
  }

  /** [bucket, count] of the non-empty buckets, ascending. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let b = 0; b <= this.#top; b++) {
      const n = this.#counts[b] ?? 0;
      if (n > 0) out.push([b, n]);
    }
    return out;
  }

  /** The encoded sketch; null when it has no samples. */
  encode(): Buffer | null {
    const entries = this.entries();
    if (entries.length === 0) return null;
    const out = Buffer.alloc(entries.length * 8);
    entries.forEach(([b, n], i) => {
      out.writeUInt32LE(b, i * 8);
      out.writeUInt32LE(n, i * 8 + 4);
    });
    return out;
  }

  /** The sketch as a histogram of bucket values, ascending. */
  histogram(): Histogram {
    return this.entries().map(([b, n]) => [bucketValue(b), n] as const);
  }
}

/**
 * Registers the SQL functions of sketches on a connection: the aggregates sketch_add(ms) (of raw
 * values; NULL skipped) and sketch_merge(blob), and the scalar sketch_union(blob, blob).
 */
export function registerSketchFunctions(db: SqliteDatabase): void {
  db.aggregate<Sketch>("sketch_add", {
    start: () => new Sketch(),
    step: (s, v) => {
      if (typeof v === "number" || typeof v === "bigint") s.add(bucketOf(Number(v)), 1);
      return s;
    },
    result: (s) => s.encode(),
    deterministic: true,
  });
  db.aggregate<Sketch>("sketch_merge", {
    start: () => new Sketch(),
    step: (s, blob) => {
      s.addBlob(blob);
      return s;
    },
    result: (s) => s.encode(),
    deterministic: true,
  });
  db.function("sketch_union", { deterministic: true }, (a, b) => {
    const s = new Sketch();
    s.addBlob(a);
    s.addBlob(b);
    return s.encode();
  });
}
