/** What the network edge takes from the core, through the service: the call scope it makes, and the in-flight counter it drains with. */
export { Scope } from "../gateway/scope.js";
export { InFlight } from "../gateway/in-flight.js";
export { callScopeKey } from "./call-scope.js";
