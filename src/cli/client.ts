/** A generated Connect client over gRPC (HTTP/2) for the CLI subcommands. */
import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";

/** A client of the gateway at `address` (host:port or a URL). */
export function gatewayClient(address: string): Client<typeof GatewayService> {
  const baseUrl = /^https?:\/\//.test(address) ? address : `http://${address}`;
  return createClient(GatewayService, createGrpcTransport({ baseUrl }));
}
