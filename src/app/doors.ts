/** The HTTP doors mounted on the gateway's port, in the order they are matched. */
import { anthropicRoutes } from "../server/doors/anthropic/routes.js";
import type { DoorRoute } from "../server/doors/doors.js";
import { openaiRoutes } from "../server/doors/openai/routes.js";

/** Every door's routes. */
export function doorRoutes(): DoorRoute[] {
  return [...openaiRoutes(), ...anthropicRoutes()];
}
