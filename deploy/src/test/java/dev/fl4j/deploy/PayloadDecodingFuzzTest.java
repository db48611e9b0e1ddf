package dev.fl4j.deploy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.fl4j.core.DType;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.testing.Fuzz;
import dev.fl4j.deploy.protocol.ClientHeader;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.ResultChunk;
import dev.fl4j.deploy.protocol.ResultHeader;
import dev.fl4j.deploy.protocol.TaskChunk;
import dev.fl4j.deploy.protocol.TaskHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Received payloads are decoded defensively: whatever the bytes, decoding a result or a task's
 * argument ends in a {@link RejectedMessageException} (or a value of the expected type), and a
 * protocol message ends in protobuf's own parse error or a typed refusal; nothing else escapes, and
 * nothing sized by a hostile header is allocated (the fuzz execution runs in a 256 MiB heap).
 */
class PayloadDecodingFuzzTest {

    private static final StructType WEIGHTS = StructType.builder()
            .add("kernel", new TensorType(DType.FLOAT32, 4, 3))
            .add("bias", new TensorType(DType.FLOAT32, 3))
            .build();
    private static final Type RESULT = StructType.builder()
            .add("update", WEIGHTS)
            .add("update_weight", TensorType.scalar(DType.FLOAT32))
            .add(
                    "metrics",
                    StructType.builder()
                            .add("loss", TensorType.scalar(DType.FLOAT64))
                            .build())
            .build();
    private static final StructType PARAMETER = StructType.builder()
            .add("weights", StructType.builder().add("trainable", WEIGHTS).build())
            .add("data", new SequenceType(new TensorType(DType.FLOAT32, -1, 4)))
            .build();

    private static Struct weights() {
        return Struct.named("kernel", Tensor.of(new float[12], 4, 3), "bias", Tensor.of(new float[] {1, 2, 3}, 3));
    }

    @Test
    void resultDecodingEndsInARefusalOnAnyInput() {
        byte[] valid = ValueCodec.encode(Struct.named(
                "update",
                weights(),
                "update_weight",
                Tensor.scalar(30f),
                "metrics",
                Struct.named("loss", Tensor.scalar(0.5))));
        Fuzz.named("deploy result payload")
                .seed(valid)
                .expecting(RejectedMessageException.class)
                .inputs(10_000)
                .run(b -> Payloads.decodeResult(b, RESULT, "result"));
    }

    @Test
    void taskArgumentDecodingEndsInARefusalOnAnyInput() {
        byte[] valid = ValueCodec.encode(Struct.named("weights", Struct.named("trainable", weights())));
        Fuzz.named("deploy task argument")
                .seed(valid)
                .expecting(RejectedMessageException.class)
                .inputs(10_000)
                .run(b -> Payloads.decodeArgument(b, PARAMETER, List.of("data"), "task"));
    }

    @Test
    void pushedChunksEndInAParseErrorOrARefusal() {
        byte[] payload = ValueCodec.encode(weights());
        byte[] header = ResultChunk.newBuilder()
                .setHeader(ResultHeader.newBuilder()
                        .setClient(ClientHeader.newBuilder()
                                .setProtocolVersion(ProtocolLimits.VERSION)
                                .setClientId("client_0"))
                        .setTaskId("0123456789abcdef0123456789abcdef")
                        .setRound(3)
                        .setResultBytes(payload.length))
                .build()
                .toByteArray();
        byte[] data = ResultChunk.newBuilder()
                .setData(ByteString.copyFrom(payload))
                .build()
                .toByteArray();
        Fuzz.named("deploy result stream")
                .seed(header)
                .seed(data)
                .expecting(InvalidProtocolBufferException.class, RejectedMessageException.class)
                .inputs(10_000)
                .run(b -> {
                    // the server's path for one pushed message, then a data chunk of the seed's payload
                    ResultChunk c = ResultChunk.parseFrom(b);
                    if (c.hasHeader()) {
                        ChunkAssembler a = new ChunkAssembler(
                                c.getHeader().getResultBytes(), 1 << 20, ProtocolLimits.MAX_CHUNK_BYTES, "result");
                        a.add(ByteString.copyFrom(payload));
                        Payloads.decodeResult(a.bytes(), WEIGHTS, "result");
                    } else if (c.hasData()) {
                        Payloads.decodeResult(c.getData().toByteArray(), WEIGHTS, "result");
                    }
                });
    }

    @Test
    void pulledTaskHeadersEndInAParseErrorOrARefusal() {
        byte[] argument = ValueCodec.encode(Struct.named("weights", Struct.named("trainable", weights())));
        byte[] header = TaskChunk.newBuilder()
                .setHeader(TaskHeader.newBuilder()
                        .setTaskId("0123456789abcdef0123456789abcdef")
                        .setRound(2)
                        .addDataFields("data")
                        .setBatchSize(8)
                        .setArgumentBytes(argument.length)
                        .setArgumentSha256(ByteString.copyFrom(Payloads.sha256(argument)))
                        .setArgumentPatchAt(argument.length - 4)
                        .setArgumentPatch(ByteString.copyFrom(new byte[] {0, 0, 0, 3})))
                .build()
                .toByteArray();
        Fuzz.named("deploy task header")
                .seed(header)
                .expecting(InvalidProtocolBufferException.class, RejectedMessageException.class)
                .inputs(10_000)
                .run(b -> {
                    // the client's path: the header's layout is checked, the shared bytes patched, then decoded
                    TaskChunk c = TaskChunk.parseFrom(b);
                    if (c.hasHeader()) {
                        TaskArgumentLayout layout = TaskArgumentLayout.of(c.getHeader(), 1 << 20, "task");
                        Payloads.decodeArgument(
                                layout.applyTo(argument, null, "task"),
                                PARAMETER,
                                c.getHeader().getDataFieldsList(),
                                "task");
                    }
                });
    }
}
