/** `complete`: send one prompt through the gateway and print the answer and its account. */
import { ConnectError } from "@connectrpc/connect";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import type { CompleteResponse } from "../../gen/llmgateway/v1/gateway_pb.js";
import type { Args } from "./args.js";
import { flag } from "./args.js";
import { gatewayClient } from "./client.js";

/** Sends the prompt; returns the exit code. */
export async function complete(args: Args): Promise<number> {
  const prompt = args.positionals.join(" ");
  if (!prompt) {
    process.stderr.write('usage: complete [--addr host:port] [--model NAME] [--stream] [--max-tokens N] "prompt"\n');
    return 2;
  }
  const client = gatewayClient(flag(args, "addr") ?? "127.0.0.1:50051", flag(args, "key") ?? process.env["GATEWAY_KEY"]);
  const maxTokens = flag(args, "max-tokens");
  const request = {
    model: flag(args, "model") ?? "auto",
    messages: [{ role: Role.USER, content: prompt }],
    ...(maxTokens ? { maxTokens: Number(maxTokens) } : {}),
  };
  try {
    if (args.flags.has("stream")) {
      for await (const msg of client.streamComplete({ request })) {
        if (msg.event.case === "delta") process.stdout.write(msg.event.value.text);
        else if (msg.event.case === "summary") printSummary(msg.event.value);
      }
    } else {
      const res = await client.complete(request);
      process.stdout.write(res.text);
      printSummary(res);
    }
    return 0;
  } catch (err) {
    const e = ConnectError.from(err);
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
}

function printSummary(res: CompleteResponse): void {
  const u = res.usage;
  for (const c of res.toolCalls) process.stdout.write(`\ntool call ${c.name}(${c.arguments}) id ${c.id}`);
  if (res.refusal) process.stdout.write(`\nrefused: ${res.refusal}`);
  process.stdout.write(
    `\n\n-- ${res.model} via ${res.provider}${res.route ? ` (route ${res.route})` : ""}; ` +
      `tokens in ${u?.inputTokens ?? "?"} out ${u?.outputTokens ?? "?"}; cost $${res.cost?.decimal ?? "?"}; ` +
      `${res.attempts.length} attempt(s)\n`,
  );
}
