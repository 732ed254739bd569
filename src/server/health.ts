/** grpc.health.v1.Health: Check and Watch, NOT_SERVING while draining (or while a service says it cannot serve). */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status, HealthCheckResponseSchema } from "../../gen/grpc/health/v1/health_pb.js";

/** The serving status of the server ("") and of each named service. */
export class HealthState {
  readonly #status = new Map<string, Status>();
  readonly #watchers = new Set<() => void>();
  #closed = false;

  constructor(services: readonly string[]) {
    for (const s of ["", ...services]) this.#status.set(s, Status.SERVING);
  }

  /** The status of a service, or undefined when it is unknown. */
  get(service: string): Status | undefined {
    return this.#status.get(service);
  }

  /** Sets a known service's status and tells its Watch streams; ignored once draining (a drain is final). */
  set(service: string, status: Status): void {
    if (this.#closed || !this.#status.has(service) || this.#status.get(service) === status) return;
    this.#status.set(service, status);
    for (const w of [...this.#watchers]) w();
  }

  /** Marks everything NOT_SERVING (drain) and ends every Watch stream after telling it. */
  drain(): void {
    for (const s of this.#status.keys()) this.#status.set(s, Status.NOT_SERVING);
    this.#closed = true;
    for (const w of this.#watchers) w();
  }

  /** True once draining began. */
  get draining(): boolean {
    return this.#closed;
  }

  /** Waits until the status may have changed (or the signal aborts). */
  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#watchers.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#watchers.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

/** Registers the health service on a Connect router. */
export function registerHealth(router: ConnectRouter, state: HealthState): void {
  router.service(Health, {
    check(req) {
      const status = state.get(req.service);
      if (status === undefined) throw new ConnectError(`unknown service: ${req.service}`, Code.NotFound);
      return create(HealthCheckResponseSchema, { status });
    },
    async *watch(req, ctx) {
      let last: Status | undefined;
      for (;;) {
        const status = state.get(req.service) ?? Status.SERVICE_UNKNOWN;
        if (status !== last) yield create(HealthCheckResponseSchema, { status });
        last = status;
        if (state.draining || ctx.signal.aborted) return;
        await state.changed(ctx.signal);
      }
    },
  });
}
