/** The subcommands: serve, complete, report, keys and reload, dispatched from the command line. */
import { parseArgs } from "../cli/args.js";
import { complete } from "../cli/complete.js";
import { keys } from "../cli/keys.js";
import { reload } from "../cli/reload.js";
import { report } from "../cli/report.js";
import { serve } from "./serve.js";

const USAGE = `usage: llm-gateway <command> [flags]
  serve     [--config PATH] [--listen host:port] [--workers N]   start the gateway (demo catalogue when no config); N processes share the port
  complete  [--addr host:port] [--key KEY] [--model NAME] [--stream] "prompt"   call a running gateway
  report    [--addr host:port] [--key KEY] [--since 24h|7d|2026-11-01] [--group-by model,provider,tag:team,day] [--json]   cost report
  reload    [--addr host:port] [--key ADMIN_KEY]   make a running gateway read its config file again (or send it SIGHUP)
  keys      create --id NAME [--role user|admin] [--allow a,b] [--rpm N] [--tpm N] [--budget-usd N]   make a client key
`;

/** Runs one subcommand; resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command = "serve", ...rest] = argv;
  switch (command) {
    case "serve":
      return serve(parseArgs(rest));
    case "complete":
      return complete(parseArgs(rest, ["stream"]));
    case "keys":
      return keys(parseArgs(rest));
    case "report":
      return report(parseArgs(rest, ["json"]));
    case "reload":
      return reload(parseArgs(rest));
    default:
      process.stderr.write(USAGE);
      return command === "help" || command === "--help" ? 0 : 2;
  }
}
