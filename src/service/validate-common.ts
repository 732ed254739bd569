/** Checks shared by every request that names a model and carries tags and a request id (Complete, Embed). */
import { invalid, LIMITS } from "./limits.js";

/** `model`: required, at most LIMITS.maxModelChars. */
export function checkModel(model: string, field: string): void {
  if (model.length === 0) throw invalid(field, "is required (a model or route name; see ListModels)");
  if (model.length > LIMITS.maxModelChars) throw invalid(field, `is longer than ${LIMITS.maxModelChars} characters`);
}

/** `tags`: at most LIMITS.maxTags entries, keys and values within their bounds; `f` prefixes the field path. */
export function checkTags(tags: Readonly<Record<string, string>>, f: (name: string) => string): void {
  const entries = Object.entries(tags);
  if (entries.length > LIMITS.maxTags) throw invalid(f("tags"), `must have at most ${LIMITS.maxTags} entries`);
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > LIMITS.maxTagKeyChars) throw invalid(f(`tags[${JSON.stringify(k.slice(0, 64))}]`), `key must be 1 to ${LIMITS.maxTagKeyChars} characters`);
    if (v.length > LIMITS.maxTagValueChars) throw invalid(f(`tags[${JSON.stringify(k)}]`), `value must be at most ${LIMITS.maxTagValueChars} characters`);
  }
}

/** `request_id`: at most LIMITS.maxRequestIdChars printable ASCII characters (empty: one is generated). */
export function checkRequestId(requestId: string, field: string): void {
  if (requestId.length > LIMITS.maxRequestIdChars || /[^\x21-\x7e]/.test(requestId)) {
    throw invalid(field, `must be at most ${LIMITS.maxRequestIdChars} printable ASCII characters`);
  }
}
