"""A Python grpcio client of the gateway, built from stubs generated from proto/ by protoc.

Usage: python3 python-client.py STUBS_DIR HOST:PORT
Prints one JSON object with what it observed; the vitest test asserts on it.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from llmgateway.v1 import embeddings_pb2, gateway_pb2, gateway_pb2_grpc, models_pb2, types_pb2  # noqa: E402
import health_pb2, health_pb2_grpc  # noqa: E402

channel = grpc.insecure_channel(sys.argv[2])
stub = gateway_pb2_grpc.GatewayServiceStub(channel)
out = {}

req = gateway_pb2.CompleteRequest(
    model="m1",
    messages=[gateway_pb2.Message(role=types_pb2.ROLE_USER, content="Bonjour from Python")],
    max_tokens=6,
    tags={"lang": "python"},
)
res = stub.Complete(req, timeout=10)
out["text"] = res.text
out["finish"] = types_pb2.FinishReason.Name(res.finish_reason)
out["output_tokens"] = res.usage.output_tokens
out["has_cache_write"] = res.usage.HasField("cache_write_tokens")
out["cost_decimal"] = res.cost.decimal
out["cost_pico_units"] = res.cost.pico_units

deltas = []
summary = None
for msg in stub.StreamComplete(gateway_pb2.StreamCompleteRequest(request=req), timeout=10):
    if msg.WhichOneof("event") == "delta":
        deltas.append(msg.delta.text)
    else:
        summary = msg.summary
out["stream_text"] = "".join(deltas)
out["stream_deltas"] = len(deltas)
out["stream_output_tokens"] = summary.usage.output_tokens if summary else None

try:
    stub.Complete(gateway_pb2.CompleteRequest(model="no-such-model", messages=req.messages), timeout=10)
    out["error_code"] = "OK"
except grpc.RpcError as err:
    out["error_code"] = err.code().name
    out["error_message"] = err.details()

emb = stub.Embed(embeddings_pb2.EmbedRequest(model="e1", inputs=["Bonjour", "Python"], dimensions=5), timeout=10)
kinds = {m.name: models_pb2.ModelKind.Name(m.kind) for m in stub.ListModels(models_pb2.ListModelsRequest(), timeout=10).models}
out["embed"] = {
    "sizes": [len(e.values) for e in emb.embeddings],
    "input_tokens": emb.usage.input_tokens,
    "has_usage": emb.HasField("usage"),
    "cost_pico_units": emb.cost.pico_units,
    "kind": kinds["e1"],
}
try:
    stub.Embed(embeddings_pb2.EmbedRequest(model="e1", inputs=["ok", ""]), timeout=10)
    out["embed_error"] = ["OK", ""]
except grpc.RpcError as err:
    out["embed_error"] = [err.code().name, err.details()]

health = health_pb2_grpc.HealthStub(channel)
out["health"] = health_pb2.HealthCheckResponse.ServingStatus.Name(
    health.Check(health_pb2.HealthCheckRequest(service="llmgateway.v1.GatewayService"), timeout=5).status
)
print(json.dumps(out))
