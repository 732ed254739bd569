/** The HTTP doors mounted on the gateway's port, in the order they are matched. */
import { anthropicRoutes } from "../server/doors/anthropic/routes.js";
import type { DoorRoute } from "../server/doors/doors.js";

/** Every door's routes. */
export function doorRoutes(): DoorRoute[] {
  return [
    ...anthropicRoutes(),
  ];
}
