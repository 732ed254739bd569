/** The OpenAI-compatible door's routes. */
import type { DoorRoute } from "../doors.js";
import { serveChat } from "./chat.js";
import { serveEmbeddings } from "./embeddings.js";
import { refuse } from "./errors.js";
import { serveModel, serveModels } from "./models.js";

/** Chat completions, embeddings and the model list, answering in OpenAI's shapes. */
export function openaiRoutes(): DoorRoute[] {
  return [
    { method: "POST", path: "/v1/chat/completions", serve: serveChat, refuse },
    { method: "POST", path: "/v1/embeddings", serve: serveEmbeddings, refuse },
    { method: "GET", path: "/v1/models", serve: serveModels, refuse },
    { method: "GET", path: "/v1/models/", serve: serveModel, refuse },
  ];
}
