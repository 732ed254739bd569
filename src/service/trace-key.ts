/** The context value through which the tracing interceptor hands the RPC's trace context to the handlers. */
import { createContextKey } from "@connectrpc/connect";

/** The RPC's OpenTelemetry context (its SERVER span), opaque here; undefined when the RPC is not traced. */
export const traceContextKey = createContextKey<unknown>(undefined, { description: "trace context" });

/** The HTTP door route a call came through (`POST /v1/chat/completions`), for its SERVER span; undefined for RPCs. */
export const doorRouteKey = createContextKey<string | undefined>(undefined, { description: "HTTP door route" });
