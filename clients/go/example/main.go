// Command example calls the LLM gateway with the generated Go client: a completion, a streamed one,
// a tool call, a failed call's AttemptFailures detail and the cost report. It prints key=value lines.
//
//	cd clients/go && GO111MODULE=off GOPATH=$PWD:/usr/share/gocode go run ./example
//
// Settings: LLMGATEWAY_ADDRESS (127.0.0.1:50051), LLMGATEWAY_KEY (a client key, sent as
// "authorization: Bearer"), LLMGATEWAY_MODEL (auto), LLMGATEWAY_FAILING_MODEL (no-such-model).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	llmgatewayv1 "llmgateway/v1"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// call returns a context carrying the client key and a 10-second deadline.
func call() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if key := os.Getenv("LLMGATEWAY_KEY"); key != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+key)
	}
	return ctx, cancel
}

func user(text string) []*llmgatewayv1.Message {
	return []*llmgatewayv1.Message{{Role: llmgatewayv1.Role_ROLE_USER, Content: text}}
}

func main() {
	model := env("LLMGATEWAY_MODEL", "auto")
	// grpc-go 1.33 (Debian) has no credentials/insecure package: WithInsecure is plaintext HTTP/2.
	conn, err := grpc.Dial(env("LLMGATEWAY_ADDRESS", "127.0.0.1:50051"), grpc.WithInsecure())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	client := llmgatewayv1.NewGatewayServiceClient(conn)
	maxTokens := uint32(6)
	req := &llmgatewayv1.CompleteRequest{Model: model, Messages: user("Hello from Go"), MaxTokens: &maxTokens, Tags: map[string]string{"client": "go"}}

	ctx, cancel := call()
	defer cancel()
	res, err := client.Complete(ctx, req)
	if err != nil {
		panic(err)
	}
	fmt.Printf("unary.text=%s\nunary.finish=%s\nunary.output_tokens=%d\nunary.cost=%s\n", res.Text, res.FinishReason, res.Usage.GetOutputTokens(), res.Cost.GetDecimal())

	ctx, cancel = call()
	defer cancel()
	stream, err := client.StreamComplete(ctx, &llmgatewayv1.StreamCompleteRequest{Request: req})
	if err != nil {
		panic(err)
	}
	var text strings.Builder
	deltas := 0
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		if d := msg.GetDelta(); d != nil {
			text.WriteString(d.Text)
			deltas++
		} else if s := msg.GetSummary(); s != nil {
			fmt.Printf("stream.finish=%s\nstream.cost=%s\n", s.FinishReason, s.Cost.GetDecimal())
		}
	}
	fmt.Printf("stream.text=%s\nstream.deltas=%d\n", text.String(), deltas)

	weather := &llmgatewayv1.Tool{
		Name:        "get_weather",
		Description: "Current weather in a city",
		Parameters:  `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`,
	}
	ctx, cancel = call()
	defer cancel()
	res, err = client.Complete(ctx, &llmgatewayv1.CompleteRequest{Model: model, Messages: user("What is the weather in Paris?"), Tools: []*llmgatewayv1.Tool{weather}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("tool.finish=%s\ntool.cost=%s\n", res.FinishReason, res.Cost.GetDecimal())
	for _, c := range res.ToolCalls {
		fmt.Printf("tool.name=%s\ntool.arguments=%s\n", c.Name, c.Arguments)
	}

	// A failed call: the status carries google.rpc.Status details, among them llmgateway.v1.AttemptFailures.
	ctx, cancel = call()
	defer cancel()
	_, err = client.Complete(ctx, &llmgatewayv1.CompleteRequest{Model: env("LLMGATEWAY_FAILING_MODEL", "no-such-model"), Messages: user("hi")})
	st := status.Convert(err)
	fmt.Printf("error.code=%s\nerror.message=%s\n", st.Code(), st.Message())
	var kinds []string
	for _, detail := range st.Details() {
		if failures, ok := detail.(*llmgatewayv1.AttemptFailures); ok {
			for _, a := range failures.Attempts {
				kinds = append(kinds, a.ErrorKind.String())
			}
		}
	}
	fmt.Printf("error.attempts=%d\nerror.kinds=%s\n", len(kinds), strings.Join(kinds, ","))

	ctx, cancel = call()
	defer cancel()
	report, err := client.GetCostReport(ctx, &llmgatewayv1.GetCostReportRequest{})
	if err != nil {
		panic(err)
	}
	total := report.Total
	fmt.Printf("report.requests=%d\nreport.failures=%d\nreport.output_tokens=%d\nreport.cost=%s\n", total.GetRequests(), total.GetFailures(), total.GetOutputTokens(), total.GetCost().GetDecimal())
}
