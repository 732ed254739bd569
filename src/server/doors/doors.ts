/**
 * The HTTP doors' one entry on the gateway's port: a table of routes (method and path) served before the gRPC and
 * Connect paths. Each door translates its API into the same service calls; what no route matches is declined.
 */
import { createServiceImplSpec } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import type { FastPath, FastPathOptions, Served } from "../lean/fast-path-common.js";
import { DoorCall } from "./door-call.js";
import type { DoorCallOptions, DoorTarget } from "./door-call.js";
import { faultOf } from "./door-fault.js";
import type { DoorFault } from "./door-fault.js";

/** One route of a door. */
export interface DoorRoute {
  readonly method: "GET" | "POST";
  /** The exact path, or a prefix ending in "/" whose rest is handed to `serve` (`/v1/models/` for one model). */
  readonly path: string;
  readonly options?: DoorCallOptions;
  /** Serves the call; throws what it refuses (a DoorFault or a service error). */
  serve(call: DoorCall, rest: string): Promise<void>;
  /** Writes a refusal in the door's own error shape (inside the stream when the answer has started). */
  refuse(call: DoorCall, fault: DoorFault): void;
}

/** The service methods a door may call, by local name. */
export function doorTarget<S extends DescService>(options: FastPathOptions<S>): DoorTarget {
  const spec = createServiceImplSpec<S>(options.service, options.impl);
  const routes = new Map<string, Served>();
  for (const [name, m] of Object.entries(spec.methods)) if (m.kind === "unary" || m.kind === "server_streaming") routes.set(name, m);
  return { routes, interceptors: options.interceptors, maxRequestBytes: options.maxRequestBytes };
}

/** Builds the doors' entry: serves a request that a route matches, declines the rest. */
export function createDoors(target: DoorTarget, routes: readonly DoorRoute[]): FastPath {
  const exact = new Map<string, DoorRoute>();
  const prefixes: DoorRoute[] = [];
  for (const r of routes) {
    if (r.path.endsWith("/")) prefixes.push(r);
    else exact.set(`${r.method} ${r.path}`, r);
  }
  if (routes.length === 0) return () => false;
  return (req, res) => {
    const url = req.url ?? "/";
    if (!url.startsWith("/v1/")) return false;
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    let route = exact.get(`${method} ${path}`);
    let rest = "";
    if (route === undefined) {
      route = prefixes.find((r) => r.method === method && path.startsWith(r.path) && path.length > r.path.length);
      if (route === undefined) return false;
      rest = path.slice(route.path.length);
      try {
        rest = decodeURIComponent(rest);
      } catch {
        // A malformed escape: the raw text is the name (and will not match one).
      }
    }
    const call = new DoorCall(req, res, target, route.options, `${route.method} ${route.path}`);
    void serve(route, call, rest);
    return true;
  };
}

async function serve(route: DoorRoute, call: DoorCall, rest: string): Promise<void> {
  try {
    await route.serve(call, rest);
  } catch (err) {
    try {
      route.refuse(call, faultOf(err));
    } catch {
      call.finish();
    }
  } finally {
    call.dispose();
  }
}
