/** `reload`: ask a running gateway (admin key) to read its config file again; prints what changed or every problem. */
import { Code, ConnectError } from "@connectrpc/connect";
import { ConfigChangeKind } from "../../gen/llmgateway/v1/config_pb.js";
import type { ReloadConfigResponse } from "../../gen/llmgateway/v1/config_pb.js";
import type { Args } from "./args.js";
import { flag } from "./args.js";
import { gatewayClient } from "./client.js";

const KIND: Record<ConfigChangeKind, string> = {
  [ConfigChangeKind.UNSPECIFIED]: "changed",
  [ConfigChangeKind.ADDED]: "added",
  [ConfigChangeKind.REMOVED]: "removed",
  [ConfigChangeKind.CHANGED]: "changed",
};

/** Calls ReloadConfig; returns 0 when applied, 1 when refused (the old config keeps serving), 2 on a call error. */
export async function reload(args: Args): Promise<number> {
  const client = gatewayClient(flag(args, "addr") ?? "127.0.0.1:50051", flag(args, "key") ?? process.env["GATEWAY_KEY"]);
  let res: ReloadConfigResponse;
  try {
    res = await client.reloadConfig({});
  } catch (err) {
    const e = ConnectError.from(err);
    process.stderr.write(`reload failed: [${Code[e.code]}] ${e.rawMessage}\n`);
    return 2;
  }
  process.stdout.write(formatReload(res));
  return res.applied ? 0 : 1;
}

/** The answer as text: one line per change, or per problem with its field path. */
export function formatReload(res: ReloadConfigResponse): string {
  if (!res.applied) {
    return `config ${res.path} refused; the running config keeps serving:\n${res.problems.map((p) => `  ${p.path}: ${p.message}\n`).join("")}`;
  }
  if (res.changes.length === 0) return `config ${res.path} reloaded: nothing changed\n`;
  const lines = res.changes.map((c) => `  ${c.path} ${KIND[c.kind]}${c.fields.length > 0 ? ` (${c.fields.join(", ")})` : ""}\n`);
  return `config ${res.path} reloaded:\n${lines.join("")}`;
}
