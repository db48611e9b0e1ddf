package dev.fl4j.deploy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fl4j.core.DType;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.computation.FieldSelection;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.protocol.TaskHeader;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The executor fetches a computation by digest once, keeps it, and refuses bytes that do not hash to the digest. */
class ComputationCacheTest {

    private static final byte[] SELECTION = FieldSelection.of(
                    StructType.builder()
                            .add("a", TensorType.scalar(DType.FLOAT32))
                            .add("b", TensorType.scalar(DType.INT32))
                            .build(),
                    "a")
            .descriptor()
            .orElseThrow()
            .toBytes();

    private static TaskHeader task(String id, byte[] digest) {
        return TaskHeader.newBuilder()
                .setTaskId(id)
                .setComputationSha256(ByteString.copyFrom(digest))
                .build();
    }

    private static TaskExecutor executor(TaskExecutor.ComputationSource source) {
        return new TaskExecutor(
                FederatedClient.DEFAULT_ALLOWED_FACTORIES,
                source,
                Dataset.of(Examples.of(new float[4], new int[] {2, 2}, new int[] {0})),
                UnaryOperator.identity(),
                new TaskContext("c", new ClientStates(null)));
    }

    @Test
    void aComputationIsFetchedOnceAndKeptByDigest() {
        AtomicInteger fetches = new AtomicInteger();
        TaskExecutor e = executor(t -> {
            fetches.incrementAndGet();
            return SELECTION.clone();
        });
        byte[] digest = Payloads.sha256(SELECTION);
        LocalComputation first = e.computation(task("t1", digest));
        LocalComputation second = e.computation(task("t2", digest));
        assertSame(first, second);
        assertEquals(1, fetches.get());
    }

    @Test
    void bytesThatDoNotHashToTheDigestAreRefusedAndNotKept() {
        AtomicInteger fetches = new AtomicInteger();
        TaskExecutor e = executor(t -> {
            fetches.incrementAndGet();
            return "not the computation".getBytes(StandardCharsets.UTF_8);
        });
        byte[] digest = Payloads.sha256(SELECTION);
        for (int i = 0; i < 2; i++) {
            RejectedMessageException x =
                    assertThrows(RejectedMessageException.class, () -> e.computation(task("t", digest)));
            assertEquals(Rejection.MALFORMED, x.reason());
            assertTrue(x.getMessage().contains("does not hash to the task's digest"), x.getMessage());
        }
        assertEquals(2, fetches.get(), "a refused computation is not kept");
    }

    @Test
    void aDigestThatIsNotASha256IsRefusedBeforeFetching() {
        TaskExecutor e = executor(t -> {
            throw new AssertionError("must not fetch");
        });
        RejectedMessageException x =
                assertThrows(RejectedMessageException.class, () -> e.computation(task("t", new byte[7])));
        assertEquals(Rejection.MALFORMED, x.reason());
    }
}
