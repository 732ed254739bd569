/** The context value through which the tracing interceptor hands the RPC's trace context to the handlers. */
import { createContextKey } from "@connectrpc/connect";

/** The RPC's OpenTelemetry context (its SERVER span), opaque here; undefined when the RPC is not traced. */
export const traceContextKey = createContextKey<unknown>(undefined, { description: "trace context" });
