/**
 * Reading an Anthropic request's JSON: each reader names the field at fault in Anthropic's own style
 * (`messages.0.content.1.source.media_type: Input should be a valid string`) and throws a 400 DoorFault.
 */
import { badRequest } from "../door-fault.js";
import type { DoorFault } from "../door-fault.js";

/** A JSON object. */
export type Obj = Record<string, unknown>;

/** A 400 for a field: `<path>: <message>`, with the path as its param. */
export function fieldError(path: string, message: string): DoorFault {
  return badRequest(path, message);
}

/** True for a plain JSON object. */
export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The object at `path`, or a 400. */
export function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw fieldError(path, "Input should be a valid dictionary or object");
  return v;
}

/** The array at `path`, or a 400. */
export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw fieldError(path, "Input should be a valid list");
  return v;
}

/** The string at `path`, or a 400. */
export function str(v: unknown, path: string): string {
  if (typeof v !== "string") throw fieldError(path, "Input should be a valid string");
  return v;
}

/** The boolean at `path`, or a 400. */
export function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw fieldError(path, "Input should be a valid boolean");
  return v;
}

/** The finite number at `path`, or a 400. */
export function num(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw fieldError(path, "Input should be a valid number");
  return v;
}

/** The integer at `path` (at least `min`), or a 400. */
export function int(v: unknown, path: string, min: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw fieldError(path, "Input should be a valid integer");
  if (v < min) throw fieldError(path, `Input should be greater than or equal to ${min}`);
  return v;
}

/** One of the allowed strings at `path`, or a 400 listing them. */
export function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  const s = str(v, path);
  if (!(allowed as readonly string[]).includes(s)) throw fieldError(path, `Input should be ${allowed.map((a) => `'${a}'`).join(", ")}`);
  return s as T;
}

/** Refuses keys of `o` outside `known` (Anthropic's "Extra inputs are not permitted"). */
export function onlyKeys(o: Obj, path: string, known: ReadonlySet<string>): void {
  for (const k of Object.keys(o)) if (!known.has(k)) throw fieldError(join(path, k), "Extra inputs are not permitted");
}

/** A field's path under its parent (`messages.0` + `content`). */
export function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

/** The value of a key that may be absent or null (undefined then). */
export function opt(o: Obj, key: string): unknown {
  const v = o[key];
  return v === null ? undefined : v;
}
