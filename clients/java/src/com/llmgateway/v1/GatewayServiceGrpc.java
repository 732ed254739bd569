package com.llmgateway.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * GatewayService is one typed endpoint in front of many LLM providers: it picks
 * a model, balances load across providers, fails over when one is down or slow,
 * and accounts every token and every cent.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: llmgateway/v1/gateway.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class GatewayServiceGrpc {

  private GatewayServiceGrpc() {}

  public static final String SERVICE_NAME = "llmgateway.v1.GatewayService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.llmgateway.v1.CompleteRequest,
      com.llmgateway.v1.CompleteResponse> getCompleteMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Complete",
      requestType = com.llmgateway.v1.CompleteRequest.class,
      responseType = com.llmgateway.v1.CompleteResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.llmgateway.v1.CompleteRequest,
      com.llmgateway.v1.CompleteResponse> getCompleteMethod() {
    io.grpc.MethodDescriptor<com.llmgateway.v1.CompleteRequest, com.llmgateway.v1.CompleteResponse> getCompleteMethod;
    if ((getCompleteMethod = GatewayServiceGrpc.getCompleteMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getCompleteMethod = GatewayServiceGrpc.getCompleteMethod) == null) {
          GatewayServiceGrpc.getCompleteMethod = getCompleteMethod =
              io.grpc.MethodDescriptor.<com.llmgateway.v1.CompleteRequest, com.llmgateway.v1.CompleteResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Complete"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.CompleteRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.CompleteResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("Complete"))
              .build();
        }
      }
    }
    return getCompleteMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.llmgateway.v1.StreamCompleteRequest,
      com.llmgateway.v1.StreamCompleteResponse> getStreamCompleteMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "StreamComplete",
      requestType = com.llmgateway.v1.StreamCompleteRequest.class,
      responseType = com.llmgateway.v1.StreamCompleteResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<com.llmgateway.v1.StreamCompleteRequest,
      com.llmgateway.v1.StreamCompleteResponse> getStreamCompleteMethod() {
    io.grpc.MethodDescriptor<com.llmgateway.v1.StreamCompleteRequest, com.llmgateway.v1.StreamCompleteResponse> getStreamCompleteMethod;
    if ((getStreamCompleteMethod = GatewayServiceGrpc.getStreamCompleteMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getStreamCompleteMethod = GatewayServiceGrpc.getStreamCompleteMethod) == null) {
          GatewayServiceGrpc.getStreamCompleteMethod = getStreamCompleteMethod =
              io.grpc.MethodDescriptor.<com.llmgateway.v1.StreamCompleteRequest, com.llmgateway.v1.StreamCompleteResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "StreamComplete"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.StreamCompleteRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.StreamCompleteResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("StreamComplete"))
              .build();
        }
      }
    }
    return getStreamCompleteMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.llmgateway.v1.GetCostReportRequest,
      com.llmgateway.v1.GetCostReportResponse> getGetCostReportMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetCostReport",
      requestType = com.llmgateway.v1.GetCostReportRequest.class,
      responseType = com.llmgateway.v1.GetCostReportResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.llmgateway.v1.GetCostReportRequest,
      com.llmgateway.v1.GetCostReportResponse> getGetCostReportMethod() {
    io.grpc.MethodDescriptor<com.llmgateway.v1.GetCostReportRequest, com.llmgateway.v1.GetCostReportResponse> getGetCostReportMethod;
    if ((getGetCostReportMethod = GatewayServiceGrpc.getGetCostReportMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetCostReportMethod = GatewayServiceGrpc.getGetCostReportMethod) == null) {
          GatewayServiceGrpc.getGetCostReportMethod = getGetCostReportMethod =
              io.grpc.MethodDescriptor.<com.llmgateway.v1.GetCostReportRequest, com.llmgateway.v1.GetCostReportResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetCostReport"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.GetCostReportRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.GetCostReportResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetCostReport"))
              .build();
        }
      }
    }
    return getGetCostReportMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.llmgateway.v1.ListModelsRequest,
      com.llmgateway.v1.ListModelsResponse> getListModelsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListModels",
      requestType = com.llmgateway.v1.ListModelsRequest.class,
      responseType = com.llmgateway.v1.ListModelsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.llmgateway.v1.ListModelsRequest,
      com.llmgateway.v1.ListModelsResponse> getListModelsMethod() {
    io.grpc.MethodDescriptor<com.llmgateway.v1.ListModelsRequest, com.llmgateway.v1.ListModelsResponse> getListModelsMethod;
    if ((getListModelsMethod = GatewayServiceGrpc.getListModelsMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getListModelsMethod = GatewayServiceGrpc.getListModelsMethod) == null) {
          GatewayServiceGrpc.getListModelsMethod = getListModelsMethod =
              io.grpc.MethodDescriptor.<com.llmgateway.v1.ListModelsRequest, com.llmgateway.v1.ListModelsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListModels"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.ListModelsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.ListModelsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("ListModels"))
              .build();
        }
      }
    }
    return getListModelsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.llmgateway.v1.EmbedRequest,
      com.llmgateway.v1.EmbedResponse> getEmbedMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Embed",
      requestType = com.llmgateway.v1.EmbedRequest.class,
      responseType = com.llmgateway.v1.EmbedResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.llmgateway.v1.EmbedRequest,
      com.llmgateway.v1.EmbedResponse> getEmbedMethod() {
    io.grpc.MethodDescriptor<com.llmgateway.v1.EmbedRequest, com.llmgateway.v1.EmbedResponse> getEmbedMethod;
    if ((getEmbedMethod = GatewayServiceGrpc.getEmbedMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getEmbedMethod = GatewayServiceGrpc.getEmbedMethod) == null) {
          GatewayServiceGrpc.getEmbedMethod = getEmbedMethod =
              io.grpc.MethodDescriptor.<com.llmgateway.v1.EmbedRequest, com.llmgateway.v1.EmbedResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Embed"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.EmbedRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.EmbedResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("Embed"))
              .build();
        }
      }
    }
    return getEmbedMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.llmgateway.v1.ReloadConfigRequest,
      com.llmgateway.v1.ReloadConfigResponse> getReloadConfigMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ReloadConfig",
      requestType = com.llmgateway.v1.ReloadConfigRequest.class,
      responseType = com.llmgateway.v1.ReloadConfigResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.llmgateway.v1.ReloadConfigRequest,
      com.llmgateway.v1.ReloadConfigResponse> getReloadConfigMethod() {
    io.grpc.MethodDescriptor<com.llmgateway.v1.ReloadConfigRequest, com.llmgateway.v1.ReloadConfigResponse> getReloadConfigMethod;
    if ((getReloadConfigMethod = GatewayServiceGrpc.getReloadConfigMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getReloadConfigMethod = GatewayServiceGrpc.getReloadConfigMethod) == null) {
          GatewayServiceGrpc.getReloadConfigMethod = getReloadConfigMethod =
              io.grpc.MethodDescriptor.<com.llmgateway.v1.ReloadConfigRequest, com.llmgateway.v1.ReloadConfigResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ReloadConfig"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.ReloadConfigRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.llmgateway.v1.ReloadConfigResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("ReloadConfig"))
              .build();
        }
      }
    }
    return getReloadConfigMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static GatewayServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceStub>() {
        @java.lang.Override
        public GatewayServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceStub(channel, callOptions);
        }
      };
    return GatewayServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static GatewayServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingStub>() {
        @java.lang.Override
        public GatewayServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceBlockingStub(channel, callOptions);
        }
      };
    return GatewayServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static GatewayServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceFutureStub>() {
        @java.lang.Override
        public GatewayServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceFutureStub(channel, callOptions);
        }
      };
    return GatewayServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * GatewayService is one typed endpoint in front of many LLM providers: it picks
   * a model, balances load across providers, fails over when one is down or slow,
   * and accounts every token and every cent.
   * </pre>
   */
  public static abstract class GatewayServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * Complete answers a conversation in one response.
     * </pre>
     */
    public void complete(com.llmgateway.v1.CompleteRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.CompleteResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCompleteMethod(), responseObserver);
    }

    /**
     * <pre>
     * StreamComplete answers a conversation as a stream of text and tool-call deltas and a final summary.
     * Until the first delta is sent the gateway fails over silently; after it, an
     * upstream failure ends the stream with UNAVAILABLE (never a clean end) and the
     * partial usage is still billed.
     * </pre>
     */
    public void streamComplete(com.llmgateway.v1.StreamCompleteRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.StreamCompleteResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getStreamCompleteMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetCostReport aggregates the usage ledger: tokens, cost, latency and savings.
     * </pre>
     */
    public void getCostReport(com.llmgateway.v1.GetCostReportRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.GetCostReportResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetCostReportMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListModels lists the catalogue: models with their provider, prices, tier and health, and the routes.
     * </pre>
     */
    public void listModels(com.llmgateway.v1.ListModelsRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.ListModelsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListModelsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Embed turns a batch of texts into embedding vectors, with the same keys, limits, budgets,
     * routing, failover and ledger as a completion.
     * </pre>
     */
    public void embed(com.llmgateway.v1.EmbedRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.EmbedResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEmbedMethod(), responseObserver);
    }

    /**
     * <pre>
     * ReloadConfig reads the gateway's config file again and applies it without a restart (admin keys only):
     * requests in flight finish on the config they started with. An invalid file, or one that changes what
     * cannot change live (listen address, TLS files, ledger files), is refused with every problem and the
     * running config keeps serving. FAILED_PRECONDITION when the gateway runs without a config file (demo).
     * </pre>
     */
    public void reloadConfig(com.llmgateway.v1.ReloadConfigRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.ReloadConfigResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getReloadConfigMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getCompleteMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.llmgateway.v1.CompleteRequest,
                com.llmgateway.v1.CompleteResponse>(
                  this, METHODID_COMPLETE)))
          .addMethod(
            getStreamCompleteMethod(),
            io.grpc.stub.ServerCalls.asyncServerStreamingCall(
              new MethodHandlers<
                com.llmgateway.v1.StreamCompleteRequest,
                com.llmgateway.v1.StreamCompleteResponse>(
                  this, METHODID_STREAM_COMPLETE)))
          .addMethod(
            getGetCostReportMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.llmgateway.v1.GetCostReportRequest,
                com.llmgateway.v1.GetCostReportResponse>(
                  this, METHODID_GET_COST_REPORT)))
          .addMethod(
            getListModelsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.llmgateway.v1.ListModelsRequest,
                com.llmgateway.v1.ListModelsResponse>(
                  this, METHODID_LIST_MODELS)))
          .addMethod(
            getEmbedMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.llmgateway.v1.EmbedRequest,
                com.llmgateway.v1.EmbedResponse>(
                  this, METHODID_EMBED)))
          .addMethod(
            getReloadConfigMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.llmgateway.v1.ReloadConfigRequest,
                com.llmgateway.v1.ReloadConfigResponse>(
                  this, METHODID_RELOAD_CONFIG)))
          .build();
    }
  }

  /**
   * <pre>
   * GatewayService is one typed endpoint in front of many LLM providers: it picks
   * a model, balances load across providers, fails over when one is down or slow,
   * and accounts every token and every cent.
   * </pre>
   */
  public static final class GatewayServiceStub extends io.grpc.stub.AbstractAsyncStub<GatewayServiceStub> {
    private GatewayServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Complete answers a conversation in one response.
     * </pre>
     */
    public void complete(com.llmgateway.v1.CompleteRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.CompleteResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCompleteMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * StreamComplete answers a conversation as a stream of text and tool-call deltas and a final summary.
     * Until the first delta is sent the gateway fails over silently; after it, an
     * upstream failure ends the stream with UNAVAILABLE (never a clean end) and the
     * partial usage is still billed.
     * </pre>
     */
    public void streamComplete(com.llmgateway.v1.StreamCompleteRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.StreamCompleteResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getStreamCompleteMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetCostReport aggregates the usage ledger: tokens, cost, latency and savings.
     * </pre>
     */
    public void getCostReport(com.llmgateway.v1.GetCostReportRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.GetCostReportResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetCostReportMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListModels lists the catalogue: models with their provider, prices, tier and health, and the routes.
     * </pre>
     */
    public void listModels(com.llmgateway.v1.ListModelsRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.ListModelsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Embed turns a batch of texts into embedding vectors, with the same keys, limits, budgets,
     * routing, failover and ledger as a completion.
     * </pre>
     */
    public void embed(com.llmgateway.v1.EmbedRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.EmbedResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEmbedMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ReloadConfig reads the gateway's config file again and applies it without a restart (admin keys only):
     * requests in flight finish on the config they started with. An invalid file, or one that changes what
     * cannot change live (listen address, TLS files, ledger files), is refused with every problem and the
     * running config keeps serving. FAILED_PRECONDITION when the gateway runs without a config file (demo).
     * </pre>
     */
    public void reloadConfig(com.llmgateway.v1.ReloadConfigRequest request,
        io.grpc.stub.StreamObserver<com.llmgateway.v1.ReloadConfigResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getReloadConfigMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * GatewayService is one typed endpoint in front of many LLM providers: it picks
   * a model, balances load across providers, fails over when one is down or slow,
   * and accounts every token and every cent.
   * </pre>
   */
  public static final class GatewayServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<GatewayServiceBlockingStub> {
    private GatewayServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Complete answers a conversation in one response.
     * </pre>
     */
    public com.llmgateway.v1.CompleteResponse complete(com.llmgateway.v1.CompleteRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCompleteMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * StreamComplete answers a conversation as a stream of text and tool-call deltas and a final summary.
     * Until the first delta is sent the gateway fails over silently; after it, an
     * upstream failure ends the stream with UNAVAILABLE (never a clean end) and the
     * partial usage is still billed.
     * </pre>
     */
    public java.util.Iterator<com.llmgateway.v1.StreamCompleteResponse> streamComplete(
        com.llmgateway.v1.StreamCompleteRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getStreamCompleteMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetCostReport aggregates the usage ledger: tokens, cost, latency and savings.
     * </pre>
     */
    public com.llmgateway.v1.GetCostReportResponse getCostReport(com.llmgateway.v1.GetCostReportRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetCostReportMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListModels lists the catalogue: models with their provider, prices, tier and health, and the routes.
     * </pre>
     */
    public com.llmgateway.v1.ListModelsResponse listModels(com.llmgateway.v1.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListModelsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Embed turns a batch of texts into embedding vectors, with the same keys, limits, budgets,
     * routing, failover and ledger as a completion.
     * </pre>
     */
    public com.llmgateway.v1.EmbedResponse embed(com.llmgateway.v1.EmbedRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEmbedMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ReloadConfig reads the gateway's config file again and applies it without a restart (admin keys only):
     * requests in flight finish on the config they started with. An invalid file, or one that changes what
     * cannot change live (listen address, TLS files, ledger files), is refused with every problem and the
     * running config keeps serving. FAILED_PRECONDITION when the gateway runs without a config file (demo).
     * </pre>
     */
    public com.llmgateway.v1.ReloadConfigResponse reloadConfig(com.llmgateway.v1.ReloadConfigRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getReloadConfigMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * GatewayService is one typed endpoint in front of many LLM providers: it picks
   * a model, balances load across providers, fails over when one is down or slow,
   * and accounts every token and every cent.
   * </pre>
   */
  public static final class GatewayServiceFutureStub extends io.grpc.stub.AbstractFutureStub<GatewayServiceFutureStub> {
    private GatewayServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Complete answers a conversation in one response.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.llmgateway.v1.CompleteResponse> complete(
        com.llmgateway.v1.CompleteRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCompleteMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetCostReport aggregates the usage ledger: tokens, cost, latency and savings.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.llmgateway.v1.GetCostReportResponse> getCostReport(
        com.llmgateway.v1.GetCostReportRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetCostReportMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListModels lists the catalogue: models with their provider, prices, tier and health, and the routes.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.llmgateway.v1.ListModelsResponse> listModels(
        com.llmgateway.v1.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Embed turns a batch of texts into embedding vectors, with the same keys, limits, budgets,
     * routing, failover and ledger as a completion.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.llmgateway.v1.EmbedResponse> embed(
        com.llmgateway.v1.EmbedRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEmbedMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ReloadConfig reads the gateway's config file again and applies it without a restart (admin keys only):
     * requests in flight finish on the config they started with. An invalid file, or one that changes what
     * cannot change live (listen address, TLS files, ledger files), is refused with every problem and the
     * running config keeps serving. FAILED_PRECONDITION when the gateway runs without a config file (demo).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.llmgateway.v1.ReloadConfigResponse> reloadConfig(
        com.llmgateway.v1.ReloadConfigRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getReloadConfigMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_COMPLETE = 0;
  private static final int METHODID_STREAM_COMPLETE = 1;
  private static final int METHODID_GET_COST_REPORT = 2;
  private static final int METHODID_LIST_MODELS = 3;
  private static final int METHODID_EMBED = 4;
  private static final int METHODID_RELOAD_CONFIG = 5;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final GatewayServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(GatewayServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_COMPLETE:
          serviceImpl.complete((com.llmgateway.v1.CompleteRequest) request,
              (io.grpc.stub.StreamObserver<com.llmgateway.v1.CompleteResponse>) responseObserver);
          break;
        case METHODID_STREAM_COMPLETE:
          serviceImpl.streamComplete((com.llmgateway.v1.StreamCompleteRequest) request,
              (io.grpc.stub.StreamObserver<com.llmgateway.v1.StreamCompleteResponse>) responseObserver);
          break;
        case METHODID_GET_COST_REPORT:
          serviceImpl.getCostReport((com.llmgateway.v1.GetCostReportRequest) request,
              (io.grpc.stub.StreamObserver<com.llmgateway.v1.GetCostReportResponse>) responseObserver);
          break;
        case METHODID_LIST_MODELS:
          serviceImpl.listModels((com.llmgateway.v1.ListModelsRequest) request,
              (io.grpc.stub.StreamObserver<com.llmgateway.v1.ListModelsResponse>) responseObserver);
          break;
        case METHODID_EMBED:
          serviceImpl.embed((com.llmgateway.v1.EmbedRequest) request,
              (io.grpc.stub.StreamObserver<com.llmgateway.v1.EmbedResponse>) responseObserver);
          break;
        case METHODID_RELOAD_CONFIG:
          serviceImpl.reloadConfig((com.llmgateway.v1.ReloadConfigRequest) request,
              (io.grpc.stub.StreamObserver<com.llmgateway.v1.ReloadConfigResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class GatewayServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    GatewayServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return com.llmgateway.v1.GatewayProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("GatewayService");
    }
  }

  private static final class GatewayServiceFileDescriptorSupplier
      extends GatewayServiceBaseDescriptorSupplier {
    GatewayServiceFileDescriptorSupplier() {}
  }

  private static final class GatewayServiceMethodDescriptorSupplier
      extends GatewayServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    GatewayServiceMethodDescriptorSupplier(String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (GatewayServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new GatewayServiceFileDescriptorSupplier())
              .addMethod(getCompleteMethod())
              .addMethod(getStreamCompleteMethod())
              .addMethod(getGetCostReportMethod())
              .addMethod(getListModelsMethod())
              .addMethod(getEmbedMethod())
              .addMethod(getReloadConfigMethod())
              .build();
        }
      }
    }
    return result;
  }
}
