/** A typed view of the small part of better-sqlite3 the ledger uses (the package ships no types). */
import { createRequire } from "node:module";

/** Values SQLite binds and returns. */
export type SqlValue = number | bigint | string | null | Buffer;

/** Named or positional parameters of one statement. */
export type SqlParams = Readonly<Record<string, SqlValue>> | readonly SqlValue[];

/** The result of a statement that changes rows. */
export interface RunResult {
  readonly changes: number;
  readonly lastInsertRowid: number | bigint;
}

/** A prepared statement. */
export interface SqliteStatement {
  run(params?: SqlParams): RunResult;
  get(params?: SqlParams): unknown;
  all(params?: SqlParams): unknown[];
  /** Rows as arrays instead of objects. */
  raw(toggle?: boolean): SqliteStatement;
  /** Integers as bigint, so that 64-bit values stay exact. */
  safeIntegers(toggle?: boolean): SqliteStatement;
  /** Only the first column of each row. */
  pluck(toggle?: boolean): SqliteStatement;
}

/** A user-defined aggregate: `step` folds one row's argument into the accumulator. */
export interface SqliteAggregate<T> {
  readonly start: () => T;
  /** Its declared parameter count (minus the accumulator) is the SQL function's argument count. */
  readonly step: (acc: T, value: SqlValue) => T;
  readonly result: (acc: T) => SqlValue;
  readonly deterministic?: boolean;
}

/** An open database connection. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  /** Registers a scalar SQL function of a fixed number of arguments. */
  function(name: string, options: { readonly deterministic?: boolean }, fn: (a: SqlValue, b: SqlValue) => SqlValue): SqliteDatabase;
  /** Registers an aggregate SQL function. */
  aggregate<T>(name: string, options: SqliteAggregate<T>): SqliteDatabase;
  exec(sql: string): void;
  pragma(sql: string, options?: { readonly simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
  readonly open: boolean;
}

type DatabaseConstructor = new (path: string, options?: { readonly timeout?: number; readonly readonly?: boolean; readonly fileMustExist?: boolean }) => SqliteDatabase;

const require = createRequire(import.meta.url);

/** Opens (creating when absent) the SQLite database at `path`; ":memory:" for a private in-memory one; `readonly` for an existing file, read-only. */
export function openSqlite(path: string, options: { readonly readonly?: boolean } = {}): SqliteDatabase {
  const Database = require("better-sqlite3") as DatabaseConstructor;
  return new Database(path, options.readonly === true ? { timeout: 5000, readonly: true, fileMustExist: true } : { timeout: 5000 });
}
