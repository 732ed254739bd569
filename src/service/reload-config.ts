/** The ReloadConfig handler: admin keys only; answers what changed, or every problem that refused the file. */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ClientKeyConfig } from "../config/auth.js";
import type { ConfigChange } from "../config/diff.js";
import type { ConfigIssue } from "../config/reader.js";
import { ConfigChangeKind, ReloadConfigResponseSchema } from "../../gen/llmgateway/v1/config_pb.js";
import type { ReloadConfigResponse } from "../../gen/llmgateway/v1/config_pb.js";

/** How one reload went, as the composition reports it. */
export interface ReloadReport {
  /** True when the new config serves from now on. */
  readonly applied: boolean;
  /** The file read. */
  readonly path: string;
  readonly changes: readonly ConfigChange[];
  /** Why it was refused, each with its field path. */
  readonly problems: readonly ConfigIssue[];
}

/** Reads the config file again and applies it; undefined when the gateway runs without a file (the demo). */
export type ReloadFn = (() => Promise<ReloadReport>) | undefined;

const KIND: Record<ConfigChange["change"], ConfigChangeKind> = {
  added: ConfigChangeKind.ADDED,
  removed: ConfigChangeKind.REMOVED,
  changed: ConfigChangeKind.CHANGED,
};

/** Serves one ReloadConfig call of `key` (undefined when auth is off). */
export async function reloadConfig(key: ClientKeyConfig | undefined, reload: ReloadFn): Promise<ReloadConfigResponse> {
  if (key !== undefined && key.role !== "admin") throw new ConnectError(`client key ${key.id} may not reload the config: it needs role admin`, Code.PermissionDenied);
  if (reload === undefined) throw new ConnectError("this gateway runs without a config file (the demo): there is nothing to reload; start it with --config PATH", Code.FailedPrecondition);
  return toReloadResponse(await reload());
}

/** The proto answer of a reload report. */
export function toReloadResponse(r: ReloadReport): ReloadConfigResponse {
  return create(ReloadConfigResponseSchema, {
    applied: r.applied,
    path: r.path,
    changes: r.changes.map((c) => ({ path: c.path, kind: KIND[c.change], fields: [...c.fields] })),
    problems: r.problems.map((p) => ({ path: p.path, message: p.message })),
  });
}
