/**
 * The one entry of the lean paths: plain gRPC calls and uncompressed Connect unary calls of a service, served
 * without connect-node's generic pipeline (several times its cost per call), through the same interceptors and
 * handlers. Whatever they decline (gRPC-Web, compressed or streamed Connect, other services) goes to connect-node.
 */
import type { DescService } from "@bufbuild/protobuf";
import { createConnectFastPath } from "./connect-fast-path.js";
import type { FastPath, FastPathOptions } from "./fast-path-common.js";
import { createGrpcFastPath } from "./grpc-fast-path.js";

/** A request handler that serves a request (true) or declines it (false) for the next handler. */
export type LeanPath = FastPath;

/** Which lean paths to serve (both by default). */
export interface LeanPathSwitches {
  readonly grpc?: boolean;
  readonly connect?: boolean;
}

/** Builds the lean paths of a service as one handler that serves what it can and declines the rest. */
export function createLeanPaths<S extends DescService>(options: FastPathOptions<S>, switches: LeanPathSwitches = {}): LeanPath {
  const paths: FastPath[] = [];
  if (switches.grpc !== false) paths.push(createGrpcFastPath(options));
  if (switches.connect !== false) paths.push(createConnectFastPath(options));
  return (req, res) => {
    for (const path of paths) if (path(req, res)) return true;
    return false;
  };
}
