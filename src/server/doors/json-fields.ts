/** Reading a parsed JSON body field by field: each wrong type is a 400 naming the field by its path. */
import { badRequest } from "./door-fault.js";

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** The value as an object, or a 400 naming `param`. */
export function object(value: unknown, param: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badRequest(param, "must be an object");
  return value as JsonObject;
}

/** The value as an array, or a 400. */
export function array(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) throw badRequest(param, "must be an array");
  return value;
}

/** The value as a string, or a 400. */
export function string(value: unknown, param: string): string {
  if (typeof value !== "string") throw badRequest(param, "must be a string");
  return value;
}

/** The value as a finite number, or a 400. */
export function number(value: unknown, param: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw badRequest(param, "must be a number");
  return value;
}

/** The value as a non-negative integer, or a 400. */
export function integer(value: unknown, param: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw badRequest(param, "must be a non-negative integer");
  return value;
}

/** The value as a boolean, or a 400. */
export function boolean(value: unknown, param: string): boolean {
  if (typeof value !== "boolean") throw badRequest(param, "must be a boolean");
  return value;
}

/** A field that may be absent or null: undefined then, else the reader's value. */
export function optional<T>(body: JsonObject, key: string, read: (value: unknown, param: string) => T, prefix = ""): T | undefined {
  const value = body[key];
  return value === undefined || value === null ? undefined : read(value, `${prefix}${key}`);
}

/** Refuses a field the API does not know (as the real APIs do), naming it. */
export function onlyKnown(body: JsonObject, known: ReadonlySet<string>, prefix: string, say: (param: string) => string): void {
  for (const key in body) if (!known.has(key)) throw badRequest(`${prefix}${key}`, say(`${prefix}${key}`));
}
