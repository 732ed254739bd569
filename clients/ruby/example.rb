# Calls the LLM gateway with the generated Ruby client: a completion, a streamed one, a tool call,
# a failed call's AttemptFailures detail and the cost report. Prints key=value lines.
#
#   ruby -I clients/ruby/lib clients/ruby/example.rb
#
# Settings: LLMGATEWAY_ADDRESS (127.0.0.1:50051), LLMGATEWAY_KEY (a client key, sent as
# "authorization: Bearer"), LLMGATEWAY_MODEL (auto), LLMGATEWAY_FAILING_MODEL (no-such-model).
require 'grpc'
require 'json'
require 'google/protobuf/well_known_types' # Any#unpack
require 'google/rpc/status_pb' # ruby-googleapis-common-protos-types, a dependency of ruby-grpc
require 'llmgateway/v1/gateway_services_pb'

V1 = Llmgateway::V1
MODEL = ENV.fetch('LLMGATEWAY_MODEL', 'auto')
KEY = ENV.fetch('LLMGATEWAY_KEY', '')
METADATA = KEY.empty? ? {} : { 'authorization' => "Bearer #{KEY}" }

stub = V1::GatewayService::Stub.new(ENV.fetch('LLMGATEWAY_ADDRESS', '127.0.0.1:50051'), :this_channel_is_insecure)
# Each call carries the client key and a 10-second deadline.
opts = -> { { metadata: METADATA, deadline: Time.now + 10 } }
user = ->(text) { [V1::Message.new(role: :ROLE_USER, content: text)] }

req = V1::CompleteRequest.new(model: MODEL, messages: user.call('Hello from Ruby'), max_tokens: 6, tags: { 'client' => 'ruby' })
res = stub.complete(req, **opts.call)
puts "unary.text=#{res.text}", "unary.finish=#{res.finish_reason}"
puts "unary.output_tokens=#{res.usage.output_tokens}", "unary.cost=#{res.cost.decimal}"

deltas = []
stub.stream_complete(V1::StreamCompleteRequest.new(request: req), **opts.call).each do |msg|
  case msg.event
  when :delta then deltas << msg.delta.text
  when :summary then puts "stream.finish=#{msg.summary.finish_reason}", "stream.cost=#{msg.summary.cost.decimal}"
  end
end
puts "stream.text=#{deltas.join}", "stream.deltas=#{deltas.size}"

weather = V1::Tool.new(
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: JSON.generate({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] })
)
res = stub.complete(V1::CompleteRequest.new(model: MODEL, messages: user.call('What is the weather in Paris?'), tools: [weather]), **opts.call)
puts "tool.finish=#{res.finish_reason}", "tool.cost=#{res.cost.decimal}"
res.tool_calls.each { |call| puts "tool.name=#{call.name}", "tool.arguments=#{call.arguments}" }

# A failed call: to_rpc_status decodes grpc-status-details-bin (google.rpc.Status) holding AttemptFailures.
begin
  stub.complete(V1::CompleteRequest.new(model: ENV.fetch('LLMGATEWAY_FAILING_MODEL', 'no-such-model'), messages: user.call('hi')), **opts.call)
rescue GRPC::BadStatus => e
  name = GRPC::Core::StatusCodes.constants.find { |c| GRPC::Core::StatusCodes.const_get(c) == e.code }
  puts "error.code=#{name}", "error.message=#{e.details}"
  details = e.to_rpc_status&.details || []
  kinds = details.filter_map { |any| any.unpack(V1::AttemptFailures) }.flat_map { |f| f.attempts.map(&:error_kind) }
  puts "error.attempts=#{kinds.size}", "error.kinds=#{kinds.join(',')}"
end

total = stub.get_cost_report(V1::GetCostReportRequest.new, **opts.call).total
puts "report.requests=#{total.requests}", "report.failures=#{total.failures}"
puts "report.output_tokens=#{total.output_tokens}", "report.cost=#{total.cost.decimal}"
