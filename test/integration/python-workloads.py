"""A Python grpcio client runs real workloads through the gateway: an agent loop (unary and streamed),
a JSON-schema extraction and an image question, for each model named on the command line.

Usage: python3 python-workloads.py STUBS_DIR HOST:PORT MODEL...
Prints one JSON object per model with what it observed; the vitest test asserts on it.
"""
import base64
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from llmgateway.v1 import content_pb2, gateway_pb2, gateway_pb2_grpc, types_pb2  # noqa: E402

stub = gateway_pb2_grpc.GatewayServiceStub(grpc.insecure_channel(sys.argv[2]))
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")  # 1x1
WEATHER = content_pb2.Tool(
    name="get_weather",
    description="Current weather in a city",
    parameters=json.dumps({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
)
USER = gateway_pb2.Message(role=types_pb2.ROLE_USER, content="What is the weather in Paris?")


def agent_loop(model, stream):
    """Turn 1 asks, the model calls get_weather; turn 2 sends the result and gets the answer."""
    req = gateway_pb2.CompleteRequest(model=model, messages=[USER], tools=[WEATHER])
    if stream:
        pieces, summary = {}, None
        for msg in stub.StreamComplete(gateway_pb2.StreamCompleteRequest(request=req), timeout=10):
            kind = msg.WhichOneof("event")
            if kind == "tool_call":
                pieces.setdefault(msg.tool_call.index, []).append(msg.tool_call.arguments)
            elif kind == "summary":
                summary = msg.summary
        first = summary
        streamed_args = ["".join(pieces[i]) for i in sorted(pieces)]
    else:
        first = stub.Complete(req, timeout=10)
        streamed_args = None
    call = first.tool_calls[0]
    history = [
        USER,
        gateway_pb2.Message(role=types_pb2.ROLE_ASSISTANT, tool_calls=first.tool_calls, reasoning=first.reasoning),
        gateway_pb2.Message(role=types_pb2.ROLE_TOOL, tool_call_id=call.id, content="18C and sunny"),
    ]
    final = stub.Complete(gateway_pb2.CompleteRequest(model=model, messages=history, tools=[WEATHER]), timeout=10)
    return {
        "finish_1": types_pb2.FinishReason.Name(first.finish_reason),
        "tool": call.name,
        "arguments": json.loads(call.arguments),
        "streamed_arguments": streamed_args,
        "summary_arguments": [c.arguments for c in first.tool_calls],
        "finish_2": types_pb2.FinishReason.Name(final.finish_reason),
        "answer": final.text,
    }


def extraction(model):
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer"}}, "required": ["city", "population"]}
    fmt = content_pb2.ResponseFormat(type=content_pb2.RESPONSE_FORMAT_TYPE_JSON_SCHEMA, name="city", schema=json.dumps(schema))
    res = stub.Complete(gateway_pb2.CompleteRequest(model=model, messages=[USER], response_format=fmt), timeout=10)
    return json.loads(res.text)


def image(model):
    parts = [content_pb2.ContentPart(text="What is in this picture?"), content_pb2.ContentPart(image=content_pb2.Image(data=PNG, media_type="image/png"))]
    res = stub.Complete(gateway_pb2.CompleteRequest(model=model, messages=[gateway_pb2.Message(role=types_pb2.ROLE_USER, parts=parts)]), timeout=10)
    return {"finish": types_pb2.FinishReason.Name(res.finish_reason), "input_tokens": res.usage.input_tokens}


def bad_tool(model):
    try:
        stub.Complete(gateway_pb2.CompleteRequest(model=model, messages=[USER], tools=[WEATHER, WEATHER]), timeout=10)
        return "OK"
    except grpc.RpcError as err:
        return f"{err.code().name} {err.details()}"


out = {}
for model in sys.argv[3:]:
    out[model] = {
        "unary": agent_loop(model, False),
        "stream": agent_loop(model, True),
        "json": extraction(model),
        "image": image(model),
        "bad_tool": bad_tool(model),
    }
print(json.dumps(out))
