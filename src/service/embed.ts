/** The Embed handler: validate -> convert -> gateway.embed -> convert back. */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Gateway } from "../gateway/gateway.js";
import type { CallContext } from "../gateway/types.js";
import type { EmbedRequest, EmbedResponse } from "../../gen/llmgateway/v1/embeddings_pb.js";

/** Serves one Embed call (a placeholder until the core lands: UNIMPLEMENTED). */
export async function embed(_req: EmbedRequest, _gateway: Gateway, _ctx: CallContext): Promise<EmbedResponse> {
  throw new ConnectError("Embed is not served yet", Code.Unimplemented);
}
