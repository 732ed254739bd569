/** Mutations of a valid JSON request, for fuzzing the HTTP doors' translations: odd values at every path, or beside it. */

/** Values that are wrong somewhere in nearly every request. */
export const ODD: readonly unknown[] = [null, undefined, 0, -1, 1.5, 1e308, "", "x", true, [], [null], {}, { type: "text" }, { type: 7 }, "💥".repeat(3)];

/** A small deterministic random source (mulberry32). */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every path of a JSON value (object keys and array indices). */
export function paths(v: unknown, at: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => paths(x, [...at, i]))];
  if (typeof v === "object" && v !== null) return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  return [at];
}

/** A copy of `v` with the value at `path` replaced (or a key added beside it). */
export function mutate(v: unknown, path: ReadonlyArray<string | number>, value: unknown, addKey: boolean): unknown {
  if (path.length === 0) return value;
  const copy: unknown = structuredClone(v);
  let node = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? "";
  if (addKey) node["unexpected_field"] = value;
  else node[last] = value;
  return copy;
}

/** `count` mutations of `valid`, deterministic for a seed. */
export function* mutations(valid: unknown, count: number, seed: number): Generator<unknown> {
  const next = random(seed);
  const all = paths(valid);
  for (let i = 0; i < count; i++) {
    const path = all[Math.floor(next() * all.length)] ?? [];
    yield mutate(valid, path, ODD[Math.floor(next() * ODD.length)], next() < 0.15);
  }
}
