package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.client.HonestTasks;
import dev.fl4j.deploy.protocol.ClientHeader;
import dev.fl4j.deploy.protocol.FleetGrpc;
import dev.fl4j.deploy.protocol.GetArgumentRequest;
import dev.fl4j.deploy.protocol.GetComputationRequest;
import dev.fl4j.deploy.protocol.HeartbeatRequest;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.PullTaskRequest;
import dev.fl4j.deploy.protocol.PushResultResponse;
import dev.fl4j.deploy.protocol.RegisterRequest;
import dev.fl4j.deploy.protocol.ResultChunk;
import dev.fl4j.deploy.protocol.ResultHeader;
import dev.fl4j.deploy.protocol.TaskChunk;
import dev.fl4j.deploy.protocol.TaskHeader;
import dev.fl4j.simulation.data.Dataset;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A protocol-level client for tests: sends exactly the messages it is told to, hostile ones included. */
final class RawFleetClient implements AutoCloseable {

    final ManagedChannel channel;
    final FleetGrpc.FleetBlockingStub blocking;
    final FleetGrpc.FleetStub async;

    RawFleetClient(String target) {
        this(target, InsecureChannelCredentials.create());
    }

    RawFleetClient(String target, io.grpc.ChannelCredentials credentials) {
        channel = NettyChannelBuilder.forTarget(target, credentials)
                .maxInboundMessageSize(ProtocolLimits.MAX_MESSAGE_BYTES * 4)
                .build();
        blocking = FleetGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        async = FleetGrpc.newStub(channel);
    }

    static ClientHeader header(String id) {
        return ClientHeader.newBuilder()
                .setProtocolVersion(ProtocolLimits.VERSION)
                .setClientId(id)
                .build();
    }

    void register(String id) {
        blocking.register(RegisterRequest.newBuilder().setHeader(header(id)).build());
    }

    boolean heartbeat(String id) {
        return blocking.heartbeat(
                        HeartbeatRequest.newBuilder().setHeader(header(id)).build())
                .getKnown();
    }

    /** A task, its computation's bytes (fetched by digest) and its argument bytes. */
    record PulledTask(TaskHeader header, byte[] computation, byte[] argument) {}

    /** The computation bytes with SHA-256 {@code digest}, asked for as client {@code id}. */
    byte[] computation(String id, ByteString digest) {
        return blocking.getComputation(GetComputationRequest.newBuilder()
                        .setHeader(header(id))
                        .setComputationSha256(digest)
                        .build())
                .getComputation()
                .toByteArray();
    }

    /** A task and its computation, or empty when the server had none within its poll. */
    Optional<PulledTask> pull(ClientHeader h) {
        Iterator<TaskChunk> it =
                blocking.pullTask(PullTaskRequest.newBuilder().setHeader(h).build());
        TaskChunk first = it.next();
        if (first.hasNoTask()) {
            while (it.hasNext()) {
                it.next();
            }
            return Optional.empty();
        }
        assertFalse(it.hasNext(), "a task is answered with its header alone");
        TaskHeader task = first.getHeader();
        byte[] argument = TaskArgumentLayout.of(task, Long.MAX_VALUE, "task")
                .applyTo(sharedArgument(h.getClientId(), task.getTaskId()), null, "task");
        byte[] computation = computation(h.getClientId(), task.getComputationSha256());
        return Optional.of(new PulledTask(task, computation, argument));
    }

    /** The shared argument bytes of task {@code taskId}, asked for as client {@code id}. */
    byte[] sharedArgument(String id, String taskId) {
        ByteArrayOutputStream arg = new ByteArrayOutputStream();
        Iterator<TaskChunk> it = blocking.getArgument(GetArgumentRequest.newBuilder()
                .setHeader(header(id))
                .setTaskId(taskId)
                .build());
        while (it.hasNext()) {
            arg.writeBytes(it.next().getData().toByteArray());
        }
        return arg.toByteArray();
    }

    /** Pushes a header and the given data chunks, as given. */
    PushResultResponse push(ResultHeader header, List<ByteString> chunks) throws Exception {
        CompletableFuture<PushResultResponse> answer = new CompletableFuture<>();
        StreamObserver<ResultChunk> out = async.pushResult(new StreamObserver<>() {
            @Override
            public void onNext(PushResultResponse r) {
                answer.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        });
        out.onNext(ResultChunk.newBuilder().setHeader(header).build());
        for (ByteString c : chunks) {
            out.onNext(ResultChunk.newBuilder().setData(c).build());
        }
        out.onCompleted();
        return answer.get(60, TimeUnit.SECONDS);
    }

    /** Pushes {@code value} as the result of {@code task}, from {@code id}, claiming {@code round}. */
    PushResultResponse pushValue(String id, String taskId, int round, Value value) throws Exception {
        byte[] bytes = ValueCodec.encode(value);
        return pushBytes(id, taskId, round, bytes);
    }

    PushResultResponse pushBytes(String id, String taskId, int round, byte[] bytes) throws Exception {
        return push(
                ResultHeader.newBuilder()
                        .setClient(header(id))
                        .setTaskId(taskId)
                        .setRound(round)
                        .setResultBytes(bytes.length)
                        .build(),
                Chunks.split(bytes, ProtocolLimits.MAX_CHUNK_BYTES));
    }

    /** Runs {@code task} honestly on {@code data}, as a real client would. */
    static Value honestResult(PulledTask task, String id, Dataset data) {
        return HonestTasks.result(task.header(), task.computation(), task.argument(), id, data);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
