/** The HTTP doors mounted on the gateway's port, in the order they are matched. */
import type { DoorRoute } from "../server/doors/doors.js";

/** Every door's routes. */
export function doorRoutes(): DoorRoute[] {
  return [];
}
