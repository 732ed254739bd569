/** Who is calling: the client key the auth interceptor verified, passed to handlers as a context value. */
import { createContextKey } from "@connectrpc/connect";
import type { ClientKeyConfig } from "../config/auth.js";

/** The verified client key of an RPC; undefined when auth is off (local development). */
export const principalKey = createContextKey<ClientKeyConfig | undefined>(undefined, { description: "client key" });
