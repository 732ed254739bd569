// Calls the LLM gateway with the generated Java client: a completion, a streamed one, a tool call,
// a failed call's AttemptFailures detail and the cost report. Prints key=value lines.
//
//   CP=$(clients/java/classpath.sh)
//   javac -d /tmp/gw-java -cp "$CP" $(find clients/java/src clients/java/example -name '*.java')
//   java -cp "/tmp/gw-java:$CP" Example
//
// Settings: LLMGATEWAY_ADDRESS (127.0.0.1:50051), LLMGATEWAY_KEY (a client key, sent as
// "authorization: Bearer"), LLMGATEWAY_MODEL (auto), LLMGATEWAY_FAILING_MODEL (no-such-model).
import com.google.protobuf.Any;
import com.google.rpc.Status;
import com.llmgateway.v1.AttemptFailures;
import com.llmgateway.v1.CompleteRequest;
import com.llmgateway.v1.CompleteResponse;
import com.llmgateway.v1.CostGroup;
import com.llmgateway.v1.GatewayServiceGrpc;
import com.llmgateway.v1.GetCostReportRequest;
import com.llmgateway.v1.Message;
import com.llmgateway.v1.Role;
import com.llmgateway.v1.StreamCompleteRequest;
import com.llmgateway.v1.StreamCompleteResponse;
import com.llmgateway.v1.Tool;
import com.llmgateway.v1.ToolCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

public final class Example {
  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  private static Message user(String text) {
    return Message.newBuilder().setRole(Role.ROLE_USER).setContent(text).build();
  }

  public static void main(String[] args) throws Exception {
    String model = env("LLMGATEWAY_MODEL", "auto");
    ManagedChannel channel = ManagedChannelBuilder.forTarget(env("LLMGATEWAY_ADDRESS", "127.0.0.1:50051")).usePlaintext().build();
    Metadata headers = new Metadata();
    String key = env("LLMGATEWAY_KEY", "");
    if (!key.isEmpty()) headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    GatewayServiceGrpc.GatewayServiceBlockingStub base =
        GatewayServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    try {
      CompleteRequest req = CompleteRequest.newBuilder().setModel(model).addMessages(user("Hello from Java"))
          .setMaxTokens(6).putTags("client", "java").build();
      // Every call gets a 10-second deadline (a deadline is fixed when the stub is made).
      CompleteResponse res = base.withDeadlineAfter(10, TimeUnit.SECONDS).complete(req);
      System.out.println("unary.text=" + res.getText() + "\nunary.finish=" + res.getFinishReason());
      System.out.println("unary.output_tokens=" + res.getUsage().getOutputTokens() + "\nunary.cost=" + res.getCost().getDecimal());

      StringBuilder text = new StringBuilder();
      int deltas = 0;
      Iterator<StreamCompleteResponse> stream =
          base.withDeadlineAfter(10, TimeUnit.SECONDS).streamComplete(StreamCompleteRequest.newBuilder().setRequest(req).build());
      while (stream.hasNext()) {
        StreamCompleteResponse msg = stream.next();
        if (msg.hasDelta()) {
          text.append(msg.getDelta().getText());
          deltas++;
        } else if (msg.hasSummary()) {
          System.out.println("stream.finish=" + msg.getSummary().getFinishReason() + "\nstream.cost=" + msg.getSummary().getCost().getDecimal());
        }
      }
      System.out.println("stream.text=" + text + "\nstream.deltas=" + deltas);

      Tool weather = Tool.newBuilder().setName("get_weather").setDescription("Current weather in a city")
          .setParameters("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}").build();
      res = base.withDeadlineAfter(10, TimeUnit.SECONDS)
          .complete(CompleteRequest.newBuilder().setModel(model).addMessages(user("What is the weather in Paris?")).addTools(weather).build());
      System.out.println("tool.finish=" + res.getFinishReason() + "\ntool.cost=" + res.getCost().getDecimal());
      for (ToolCall call : res.getToolCallsList()) System.out.println("tool.name=" + call.getName() + "\ntool.arguments=" + call.getArguments());

      // A failed call: StatusProto reads grpc-status-details-bin, a google.rpc.Status holding AttemptFailures.
      try {
        base.withDeadlineAfter(10, TimeUnit.SECONDS).complete(
            CompleteRequest.newBuilder().setModel(env("LLMGATEWAY_FAILING_MODEL", "no-such-model")).addMessages(user("hi")).build());
      } catch (StatusRuntimeException e) {
        System.out.println("error.code=" + e.getStatus().getCode() + "\nerror.message=" + e.getStatus().getDescription());
        List<String> kinds = new ArrayList<>();
        Status status = StatusProto.fromThrowable(e);
        if (status != null) {
          for (Any detail : status.getDetailsList()) {
            if (detail.is(AttemptFailures.class)) {
              detail.unpack(AttemptFailures.class).getAttemptsList().forEach(a -> kinds.add(a.getErrorKind().name()));
            }
          }
        }
        System.out.println("error.attempts=" + kinds.size() + "\nerror.kinds=" + String.join(",", kinds));
      }

      CostGroup total = base.withDeadlineAfter(10, TimeUnit.SECONDS).getCostReport(GetCostReportRequest.getDefaultInstance()).getTotal();
      System.out.println("report.requests=" + total.getRequests() + "\nreport.failures=" + total.getFailures());
      System.out.println("report.output_tokens=" + total.getOutputTokens() + "\nreport.cost=" + total.getCost().getDecimal());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
