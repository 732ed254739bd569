/** The network edge: one port serving GatewayService, health and reflection, with graceful drain. */
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, Interceptor, ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { createLeanPaths } from "./lean/lean-paths.js";
import type { LeanPath } from "./lean/lean-paths.js";
import { fixGrpcMessage, specEncode } from "./grpc-message.js";
import { InFlight } from "../service/edge.js";
import { HealthState, registerHealth } from "./health.js";
import { DualListener } from "./listener.js";
import { EdgeGuard } from "./edge-guard.js";
import type { EdgeStats } from "./edge-guard.js";
import { EDGE_DEFAULTS } from "../config/edge.js";
import type { EdgeConfig } from "../config/edge.js";
import type { Logger } from "../telemetry/log.js";
import { TlsListener } from "./tls-listener.js";
import type { TlsConfig } from "../config/auth.js";
import type { UniversalHandler } from "./listener.js";
import { Reflector, registerReflection } from "./reflection.js";
import { createDoors, doorTarget } from "./doors/doors.js";
import { createDashboard } from "./dashboard/dashboard.js";
import type { DoorRoute } from "./doors/doors.js";

/** Unknown paths: gRPC clients get UNIMPLEMENTED as a status (the spec's answer), others a plain 404. */
const unknownRoute: NonNullable<ConnectNodeAdapterOptions["fallback"]> = (req, res) => {
  const type = req.headers["content-type"] ?? "";
  if (type.startsWith("application/grpc")) {
    const grpcType = type.startsWith("application/grpc-web") ? type : "application/grpc";
    res.writeHead(200, { "content-type": grpcType, "grpc-status": "12", "grpc-message": specEncode(encodeURIComponent(`unknown method ${req.url ?? ""}`)) });
  } else {
    res.writeHead(404, { "content-type": "text/plain" });
  }
  res.end();
};

/**
 * JSON requests must be UTF-8 (RFC 8259): invalid bytes are INVALID_ARGUMENT, as on the lean paths, not replaced
 * with U+FFFD. connect-node's JSON serialization takes the decoder from its JSON options (not in their type).
 */
const strictJson = { ignoreUnknownFields: true, textDecoder: new TextDecoder("utf-8", { fatal: true }) };
const STRICT_JSON: NonNullable<ConnectNodeAdapterOptions["jsonOptions"]> = strictJson;

/** What the server mounts. */
export interface ServerOptions {
  readonly service: ServiceImpl<typeof GatewayService>;
  /** Largest request message, bytes. */
  readonly maxRequestBytes: number;
  readonly interceptors?: Interceptor[];
  /** Serve TLS (ALPN h2 and http/1.1) instead of cleartext. */
  readonly tls?: TlsConfig | undefined;
  /** Serve plain gRPC calls of GatewayService on the lean HTTP/2 path instead of connect-node (default true). */
  readonly grpcFastPath?: boolean;
  /** Serve uncompressed Connect unary calls of GatewayService on the lean path instead of connect-node (default true). */
  readonly connectFastPath?: boolean;
  /** The client connection bounds (server.limits; defaults when absent). */
  readonly edge?: EdgeConfig;
  /** Where the listener logs (a burst of refused connections). */
  readonly log?: Logger;
  /** The HTTP doors' routes (OpenAI- and Anthropic-compatible APIs), served on the same port before gRPC and Connect. */
  readonly doors?: readonly DoorRoute[];
  /** Health services besides the server ("") and GatewayService that the composition sets (config reloads, shared state). */
  readonly healthServices?: readonly string[];
}

/** A running gateway server. */
export class GatewayServer {
  readonly health: HealthState;
  readonly #listener: DualListener | TlsListener;
  readonly #inFlight = new InFlight();
  readonly #guard: EdgeGuard;

  constructor(options: ServerOptions) {
    const exposed: DescService[] = [GatewayService, Health, ServerReflection];
    this.health = new HealthState([GatewayService.typeName, ...(options.healthServices ?? [])]);
    const reflector = new Reflector(exposed);
    const routes = (router: ConnectRouter): void => {
      router.service(GatewayService, options.service);
      registerHealth(router, this.health);
      registerReflection(router, reflector);
    };
    const handler = connectNodeAdapter({ routes, readMaxBytes: options.maxRequestBytes, interceptors: options.interceptors ?? [], fallback: unknownRoute, jsonOptions: STRICT_JSON });
    const interceptors = options.interceptors ?? [];
    const served = { service: GatewayService, impl: options.service, interceptors, maxRequestBytes: options.maxRequestBytes };
    const lean = createLeanPaths(served, { grpc: options.grpcFastPath, connect: options.connectFastPath });
    const edge = options.edge ?? EDGE_DEFAULTS;
    this.#guard = new EdgeGuard(edge, options.log);
    const doors = createDoors(doorTarget(served), options.doors ?? []);
    const dashboard = createDashboard();
    const tracked = this.#track(handler as UniversalHandler, lean, (req, res) => doors(req, res) || dashboard(req, res));
    this.#listener = options.tls ? new TlsListener(tracked, options.tls, this.#guard, edge.prefaceTimeoutMs) : new DualListener(tracked, this.#guard);
  }

  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return this.#listener.listen(port, host);
  }

  /** Calls in flight now (health Watch streams included until drain ends them). */
  get inFlight(): number {
    return this.#inFlight.count;
  }

  /** The listener's connection counts: open, refused at the limit, closed by the gateway's own timeouts. */
  get edge(): EdgeStats {
    return this.#guard.stats;
  }

  /**
   * Drains: reports NOT_SERVING, stops accepting, lets in-flight calls finish for up to `graceMs`,
   * then closes every connection. Resolves true when everything finished within the grace period.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.health.drain();
    this.#listener.stopAccepting();
    const finished = await this.#inFlight.idle(graceMs);
    this.#listener.destroyAll();
    return finished;
  }

  #track(handler: UniversalHandler, lean: LeanPath, doors: LeanPath): UniversalHandler {
    return (req, res) => {
      this.#inFlight.enter();
      res.once("close", () => {
        this.#inFlight.leave();
      });
      if (this.#guard.refusedHere(req)) {
        this.#guard.answerBusy(req, res);
        return;
      }
      if (lean(req, res) || doors(req, res)) return;
      if (req.headers["content-type"]?.startsWith("application/grpc")) fixGrpcMessage(res);
      handler(req, res);
    };
  }
}
