"""Calls the LLM gateway with the generated Python client: a completion, a streamed one, a tool call,
a failed call's AttemptFailures detail and the cost report. Prints key=value lines.

    /usr/bin/python3 clients/python/example.py

Settings: LLMGATEWAY_ADDRESS (127.0.0.1:50051), LLMGATEWAY_KEY (a client key, sent as
"authorization: Bearer"), LLMGATEWAY_MODEL (auto), LLMGATEWAY_FAILING_MODEL (no-such-model).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

import grpc  # noqa: E402
from google.rpc import status_pb2  # noqa: E402  (vendored: Debian has no grpcio-status)
from llmgateway.v1 import content_pb2, cost_pb2, gateway_pb2, gateway_pb2_grpc, types_pb2  # noqa: E402

MODEL = os.environ.get("LLMGATEWAY_MODEL", "auto")
KEY = os.environ.get("LLMGATEWAY_KEY", "")
METADATA = [("authorization", f"Bearer {KEY}")] if KEY else []
DEADLINE = 10  # seconds, sent as grpc-timeout

stub = gateway_pb2_grpc.GatewayServiceStub(grpc.insecure_channel(os.environ.get("LLMGATEWAY_ADDRESS", "127.0.0.1:50051")))


def user(text):
    return [gateway_pb2.Message(role=types_pb2.ROLE_USER, content=text)]


def finish(reason):
    return types_pb2.FinishReason.Name(reason)


req = gateway_pb2.CompleteRequest(model=MODEL, messages=user("Hello from Python"), max_tokens=6, tags={"client": "python"})
res = stub.Complete(req, timeout=DEADLINE, metadata=METADATA)
print(f"unary.text={res.text}\nunary.finish={finish(res.finish_reason)}")
print(f"unary.output_tokens={res.usage.output_tokens}\nunary.cost={res.cost.decimal}")

deltas = []
for msg in stub.StreamComplete(gateway_pb2.StreamCompleteRequest(request=req), timeout=DEADLINE, metadata=METADATA):
    if msg.WhichOneof("event") == "delta":
        deltas.append(msg.delta.text)
    elif msg.WhichOneof("event") == "summary":
        print(f"stream.finish={finish(msg.summary.finish_reason)}\nstream.cost={msg.summary.cost.decimal}")
print(f"stream.text={''.join(deltas)}\nstream.deltas={len(deltas)}")

weather = content_pb2.Tool(
    name="get_weather",
    description="Current weather in a city",
    parameters=json.dumps({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
)
res = stub.Complete(gateway_pb2.CompleteRequest(model=MODEL, messages=user("What is the weather in Paris?"), tools=[weather]), timeout=DEADLINE, metadata=METADATA)
print(f"tool.finish={finish(res.finish_reason)}\ntool.cost={res.cost.decimal}")
for call in res.tool_calls:
    print(f"tool.name={call.name}\ntool.arguments={call.arguments}")

# A failed call: the trailer grpc-status-details-bin is a google.rpc.Status whose details hold AttemptFailures.
try:
    stub.Complete(gateway_pb2.CompleteRequest(model=os.environ.get("LLMGATEWAY_FAILING_MODEL", "no-such-model"), messages=user("hi")), timeout=DEADLINE, metadata=METADATA)
except grpc.RpcError as err:
    print(f"error.code={err.code().name}\nerror.message={err.details()}")
    kinds = []
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                failures = types_pb2.AttemptFailures()
                if detail.Unpack(failures):
                    kinds += [types_pb2.ErrorKind.Name(a.error_kind) for a in failures.attempts]
    print(f"error.attempts={len(kinds)}\nerror.kinds={','.join(kinds)}")

total = stub.GetCostReport(cost_pb2.GetCostReportRequest(), timeout=DEADLINE, metadata=METADATA).total
print(f"report.requests={total.requests}\nreport.failures={total.failures}")
print(f"report.output_tokens={total.output_tokens}\nreport.cost={total.cost.decimal}")
