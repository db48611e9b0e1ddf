package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.protocol.TaskHeader;
import org.junit.jupiter.api.Test;

class TaskArgumentLayoutTest {

    private static final byte[] SHARED = {10, 11, 12, 13, 14, 15};

    private static TaskHeader.Builder header() {
        return TaskHeader.newBuilder()
                .setTaskId("t1")
                .setArgumentBytes(SHARED.length)
                .setArgumentSha256(ByteString.copyFrom(Payloads.sha256(SHARED)))
                .setArgumentPatchAt(2)
                .setArgumentPatch(ByteString.copyFrom(new byte[] {1, 2}));
    }

    @Test
    void theTasksOwnBytesAreWrittenOverACopyOrTheArrayItReuses() {
        TaskArgumentLayout layout = TaskArgumentLayout.of(header().build(), 100, "task t1");
        byte[] own = layout.applyTo(SHARED, null, "task t1");
        assertArrayEquals(new byte[] {10, 11, 1, 2, 14, 15}, own);
        assertArrayEquals(new byte[] {10, 11, 12, 13, 14, 15}, SHARED, "the shared bytes are not written");
        byte[] last = new byte[] {7, 7, 7, 7, 7, 7};
        assertSame(last, layout.applyTo(SHARED, last, "task t1"));
        assertArrayEquals(own, last);
        assertNotSame(own, layout.applyTo(SHARED, new byte[5], "task t1"), "an array of another length is not used");
    }

    @Test
    void aHeaderOutsideTheLimitsIsRefusedWithItsReason() {
        assertRefused(
                Rejection.OVERSIZED,
                "task t1 declares an argument of 6 bytes, above the limit of 5 bytes",
                header().build(),
                5);
        assertRefused(
                Rejection.MALFORMED,
                "task t1: an argument digest is a SHA-256 (32 bytes), got 3",
                header().setArgumentSha256(ByteString.copyFrom(new byte[3])).build(),
                100);
        assertRefused(
                Rejection.MALFORMED,
                "task t1: a patch of 2 bytes at 5 does not lie within the argument's 6 bytes",
                header().setArgumentPatchAt(5).build(),
                100);
        assertRefused(
                Rejection.MALFORMED,
                "task t1: a patch of 2 bytes at 18446744073709551615 does not lie within the argument's 6 bytes",
                header().setArgumentPatchAt(-1).build(),
                100);
        byte[] big = new byte[ProtocolLimits.MAX_ARGUMENT_PATCH_BYTES + 1];
        assertRefused(
                Rejection.MALFORMED,
                "task t1: an argument patch of 1025 bytes is above the limit of 1024 bytes",
                header().setArgumentBytes(4096)
                        .setArgumentPatch(ByteString.copyFrom(big))
                        .build(),
                1 << 20);
        RejectedMessageException shortShared = assertThrows(
                RejectedMessageException.class,
                () -> TaskArgumentLayout.of(header().build(), 100, "task t1").applyTo(new byte[4], null, "task t1"));
        assertEquals(Rejection.MALFORMED, shortShared.reason());
        assertEquals(
                "MALFORMED: task t1 declares an argument of 6 bytes; its shared bytes are 4", shortShared.getMessage());
    }

    private static void assertRefused(Rejection reason, String message, TaskHeader h, long max) {
        RejectedMessageException e =
                assertThrows(RejectedMessageException.class, () -> TaskArgumentLayout.of(h, max, "task t1"));
        assertEquals(reason, e.reason());
        assertEquals(reason.name() + ": " + message, e.getMessage());
    }
}
