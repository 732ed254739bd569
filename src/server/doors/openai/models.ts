/** `GET /v1/models` and `GET /v1/models/{id}`: the catalogue's models and routes (a route is a model name here too). */
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ListModelsRequestSchema, ListModelsResponseSchema } from "../../../../gen/llmgateway/v1/models_pb.js";
import type { DoorCall } from "../door-call.js";
import { DoorFault } from "../door-fault.js";

/** OpenAI's model objects for what the caller's key may see. */
async function modelObjects(call: DoorCall): Promise<Record<string, unknown>[]> {
  const list = await call.unary("listModels", create(ListModelsRequestSchema), ListModelsResponseSchema);
  return [
    ...list.models.map((m) => ({ id: m.name, object: "model", created: 0, owned_by: m.provider })),
    ...list.routes.map((r) => ({ id: r.name, object: "model", created: 0, owned_by: "llmgateway" })),
  ];
}

/** Serves the model list. */
export async function serveModels(call: DoorCall): Promise<void> {
  const data = await modelObjects(call);
  call.send(200, { "content-type": "application/json" }, JSON.stringify({ object: "list", data }));
}

/** Serves one model, or 404 in OpenAI's shape. */
export async function serveModel(call: DoorCall, id: string): Promise<void> {
  const model = (await modelObjects(call)).find((m) => m.id === id);
  if (model === undefined) throw new DoorFault(404, Code.NotFound, `The model '${id.slice(0, 200)}' does not exist or you do not have access to it.`, "model");
  call.send(200, { "content-type": "application/json" }, JSON.stringify(model));
}
