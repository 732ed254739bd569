/**
 * A direct binary encoder for the messages the fast paths send: the same bytes as protobuf-es's `toBinary`,
 * without its reflection layer (a wrapper object with Maps for every message and submessage, a Buffer per
 * string, a chunk list per length prefix), which was the largest allocator of a call (18 KiB of 91). A schema
 * is compiled once into a list of steps; two passes (sizes, then bytes) fill one exactly sized Buffer. Only
 * what the gateway's responses use is compiled (strings, bools, 32- and 64-bit integers, enums, messages,
 * repeated messages, oneofs); any other schema, and any message carrying unknown fields, goes to `toBinary`.
 */
import { ScalarType, toBinary } from "@bufbuild/protobuf";
import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";

type ScalarKind = "string" | "bool" | "int32" | "uint32" | "int64" | "uint64";

/** How one field is written: a scalar, or a message (one or repeated) with the plan of its type. */
type Step = {
  /** The property holding the value (for a oneof member: the oneof's). */
  readonly key: string;
  /** For a oneof member: the case that selects it. */
  readonly oneofCase: string | undefined;
  /** Written whenever set (proto3 `optional`, oneof members, messages) rather than when not zero. */
  readonly explicit: boolean;
  /** The field's tag as varint bytes. */
  readonly tag: Buffer;
  /** The field's full name, for errors. */
  readonly field: string;
} & ({ readonly kind: ScalarKind } | { readonly kind: "message" | "messages"; readonly sub: Plan });

/** A schema's fields in field-number order. */
interface Plan {
  readonly steps: readonly Step[];
}

const SCALARS: Partial<Record<ScalarType, ScalarKind>> = {
  [ScalarType.STRING]: "string",
  [ScalarType.BOOL]: "bool",
  [ScalarType.INT32]: "int32",
  [ScalarType.UINT32]: "uint32",
  [ScalarType.INT64]: "int64",
  [ScalarType.UINT64]: "uint64",
};

/** Compiled plans; "building" while a schema is compiled (a recursive schema is left to toBinary). */
const compiled = new WeakMap<DescMessage, Plan | null | "building">();

/** The message's binary encoding: compiled when its schema allows, else protobuf-es's `toBinary`. */
export function encodeMessage(schema: DescMessage, message: Message): Uint8Array {
  const plan = planOf(schema);
  if (plan === null || hasUnknown(message)) return toBinary(schema, message);
  const sizes: number[] = [];
  const size = measure(message, plan, sizes);
  const out = { buf: Buffer.allocUnsafe(size), pos: 0, next: 0 };
  write(message, plan, out, sizes);
  return out.buf;
}

/** The compiled plan of a schema, or null when it uses something the encoder does not cover. */
export function planOf(schema: DescMessage): Plan | null {
  const known = compiled.get(schema);
  if (known === "building") return null;
  if (known !== undefined) return known;
  compiled.set(schema, "building");
  const steps: Step[] = [];
  for (const f of [...schema.fields].sort((a, b) => a.number - b.number)) {
    const step = stepOf(f);
    if (step === null) break;
    steps.push(step);
  }
  const plan = steps.length === schema.fields.length ? { steps } : null;
  compiled.set(schema, plan);
  return plan;
}

/** The step of a field, or null when the encoder does not cover it. */
function stepOf(f: DescField): Step | null {
  const key = f.oneof ? f.oneof.localName : f.localName;
  const oneofCase = f.oneof ? f.localName : undefined;
  const explicit = f.oneof !== undefined || f.presence === FeatureSet_FieldPresence.EXPLICIT;
  const tag = (wire: number): Buffer => varintBytes(((f.number << 3) | wire) >>> 0);
  const field = `${f.parent.typeName}.${f.name}`;
  switch (f.fieldKind) {
    case "scalar": {
      const kind = SCALARS[f.scalar];
      if (kind === undefined || f.longAsString) return null;
      return { key, oneofCase, kind, explicit, field, tag: tag(kind === "string" ? 2 : 0) };
    }
    case "enum":
      return { key, oneofCase, kind: "int32", explicit, field, tag: tag(0) };
    case "message":
    case "list": {
      if (f.fieldKind === "list" && f.listKind !== "message") return null;
      if (f.delimitedEncoding || f.message === undefined) return null;
      const sub = planOf(f.message);
      return sub === null ? null : { key, oneofCase, kind: f.fieldKind === "list" ? "messages" : "message", explicit: true, field, tag: tag(2), sub };
    }
    default:
      return null;
  }
}

function hasUnknown(message: Message): boolean {
  const unknown = (message as { $unknown?: readonly unknown[] }).$unknown;
  return unknown !== undefined && unknown.length > 0;
}

type Fields = Readonly<Record<string, unknown>>;

/** The value a step writes, or undefined when it writes nothing. */
function valueOf(m: Fields, s: Step): unknown {
  let v = m[s.key];
  if (s.oneofCase !== undefined) {
    const selected = v as { case: string | undefined; value?: unknown } | undefined;
    if (selected?.case !== s.oneofCase) return undefined;
    v = selected.value;
  }
  if (v === undefined || s.explicit) return v;
  return v === "" || v === 0 || v === false || v === 0n ? undefined : v;
}

function measure(m: Fields, plan: Plan, sizes: number[]): number {
  let n = 0;
  for (const s of plan.steps) {
    const v = valueOf(m, s);
    if (v === undefined) continue;
    switch (s.kind) {
      case "string": {
        const len = Buffer.byteLength(v as string);
        sizes.push(len);
        n += s.tag.length + varintSize(len) + len;
        break;
      }
      case "bool":
        n += s.tag.length + 1;
        break;
      case "int32":
      case "uint32":
        checkRange(s, v as number);
        n += s.tag.length + ((v as number) < 0 ? 10 : varintSize(v as number));
        break;
      case "int64":
      case "uint64":
        checkRange(s, v as bigint);
        n += s.tag.length + bigVarintSize(unsigned(v as bigint));
        break;
      case "message":
        n += s.tag.length + nested(v as Fields, s.sub, sizes);
        break;
      case "messages":
        for (const item of v as readonly Fields[]) n += s.tag.length + nested(item, s.sub, sizes);
    }
  }
  return n;
}

/** A submessage's length prefix and body; its size is kept for the write pass, in visiting order, as strings' are. */
function nested(m: Fields, plan: Plan, sizes: number[]): number {
  const at = sizes.length;
  sizes.push(0);
  const size = measure(m, plan, sizes);
  sizes[at] = size;
  return varintSize(size) + size;
}

interface Out {
  buf: Buffer;
  pos: number;
  /** The next length (of a submessage or a string) to use, in visiting order. */
  next: number;
}

function write(m: Fields, plan: Plan, out: Out, sizes: readonly number[]): void {
  for (const s of plan.steps) {
    const v = valueOf(m, s);
    if (v === undefined) continue;
    if (s.kind === "messages") {
      for (const item of v as readonly Fields[]) writeNested(item, s, out, sizes);
      continue;
    }
    if (s.kind === "message") {
      writeNested(v as Fields, s, out, sizes);
      continue;
    }
    out.pos += s.tag.copy(out.buf, out.pos);
    switch (s.kind) {
      case "string": {
        const str = v as string;
        writeVarint(out, sizes[out.next++] ?? 0);
        out.pos += out.buf.write(str, out.pos, "utf8");
        break;
      }
      case "bool":
        out.buf[out.pos++] = v === true ? 1 : 0;
        break;
      case "int32":
        if ((v as number) < 0) writeBigVarint(out, BigInt.asUintN(64, BigInt(v as number)));
        else writeVarint(out, v as number);
        break;
      case "uint32":
        writeVarint(out, v as number);
        break;
      case "int64":
      case "uint64":
        writeBigVarint(out, unsigned(v as bigint));
    }
  }
}

function writeNested(m: Fields, s: Extract<Step, { readonly sub: Plan }>, out: Out, sizes: readonly number[]): void {
  out.pos += s.tag.copy(out.buf, out.pos);
  writeVarint(out, sizes[out.next++] ?? 0);
  write(m, s.sub, out, sizes);
}

const RANGES = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
} as const;

/** Refuses, as protobuf-es does, an integer its field's type cannot hold: never a varint no reader can take. */
function checkRange(s: Step & { readonly kind: ScalarKind }, v: number | bigint): void {
  if (s.kind === "string" || s.kind === "bool") return;
  const [min, max] = RANGES[s.kind];
  const whole = typeof v === "bigint" || Number.isInteger(v);
  if (whole && v >= min && v <= max) return;
  throw new Error(`cannot encode field ${s.field} to binary: invalid ${s.kind}: ${String(v)}`);
}

/** A 64-bit integer as the unsigned value of its two's complement (negative int64s take ten bytes). */
function unsigned(v: bigint): bigint {
  return v < 0n ? BigInt.asUintN(64, v) : v;
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function bigVarintSize(v: bigint): number {
  return v <= 0x1fffffffffffffn ? varintSize(Number(v)) : Math.ceil(v.toString(2).length / 7);
}

function writeVarint(out: Out, v: number): void {
  while (v >= 0x80) {
    out.buf[out.pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out.buf[out.pos++] = v;
}

function writeBigVarint(out: Out, v: bigint): void {
  if (v <= 0x1fffffffffffffn) {
    writeVarint(out, Number(v));
    return;
  }
  while (v >= 0x80n) {
    out.buf[out.pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out.buf[out.pos++] = Number(v);
}

function varintBytes(v: number): Buffer {
  const out: Out = { buf: Buffer.alloc(10), pos: 0, next: 0 };
  writeVarint(out, v);
  return out.buf.subarray(0, out.pos);
}
