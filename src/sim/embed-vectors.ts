/** Deterministic embedding vectors for the simulator: the same text and size always give the same unit vector. */
import { createHash } from "node:crypto";

/** A unit-length vector of `dimensions` floats drawn from a generator seeded by the text's SHA-256. */
export function simVector(text: string, dimensions: number): number[] {
  const seed = createHash("sha256").update(text).digest();
  let state = seed.readUInt32LE(0) ^ seed.readUInt32LE(4) ^ seed.readUInt32LE(8);
  const out = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    // xorshift32: cheap, deterministic, good enough for fake vectors.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const v = ((state >>> 0) / 0xffffffff) * 2 - 1;
    out[i] = v;
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 1;
  // Rounded to float32, as real APIs send them.
  return out.map((v) => Math.fround(v * scale));
}

/** A vector as OpenAI's `encoding_format: "base64"` sends it: little-endian float32 bytes, base64. */
export function base64Vector(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}
