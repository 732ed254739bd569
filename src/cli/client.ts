/** A generated Connect client over gRPC (HTTP/2) for the CLI subcommands. */
import { createClient } from "@connectrpc/connect";
import type { Client, Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";

/** A client of the gateway at `address` (host:port or a URL), sending `key` as a bearer token when given. */
export function gatewayClient(address: string, key?: string): Client<typeof GatewayService> {
  const baseUrl = /^https?:\/\//.test(address) ? address : `http://${address}`;
  const interceptors: Interceptor[] = key
    ? [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${key}`);
          return next(req);
        },
      ]
    : [];
  return createClient(GatewayService, createGrpcTransport({ baseUrl, interceptors }));
}
