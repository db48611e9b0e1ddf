package dev.fl4j.deploy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A client asks for its task's computation right after pulling it; the round may end in between (over-selection
 * filled it, the deadline passed). Its computation is still its own: it is served, and only other clients' or
 * forged digests are refused.
 */
class TaskBoardComputationTest {

    private static final byte[] COMPUTATION = "the client's computation".getBytes(StandardCharsets.UTF_8);

    private static Task task(TaskBoard board, String client) {
        return new Task(
                board.newTaskId(),
                client,
                1,
                COMPUTATION,
                List.of(),
                0,
                1,
                0,
                0,
                TaskArgument.of(new byte[0]),
                TensorType.scalar(DType.FLOAT32),
                System.nanoTime() + 60_000_000_000L);
    }

    private static Task pull(TaskBoard board, String client) {
        Optional<Task> t = board.takeOrPark(client, new TaskBoard.ParkedPoll() {
            @Override
            public void deliver(Task task) {}

            @Override
            public void displaced() {}
        });
        return t.orElseThrow();
    }

    @Test
    void aTaskThatEndedAfterItsHandOutStillHasItsComputationServedToItsClient() {
        TaskBoard board = new TaskBoard();
        board.offer(task(board, "a"));
        board.offer(task(board, "b"));
        Task a = pull(board, "a");
        pull(board, "b");
        byte[] digest = Payloads.sha256(COMPUTATION);
        assertArrayEquals(COMPUTATION, board.computationFor("a", digest), "an open task's computation");

        board.abandon(a); // its round ended before the client asked for the computation
        assertEquals(Task.State.ABANDONED, a.state);
        assertArrayEquals(COMPUTATION, board.computationFor("a", digest), "still the client's own task");
        assertTrue(
                board.takeOrPark("a", new TaskBoard.ParkedPoll() {
                            @Override
                            public void deliver(Task task) {}

                            @Override
                            public void displaced() {}
                        })
                        .isEmpty(),
                "a second pull finds nothing and drops the ended task from the queue");
        assertArrayEquals(
                COMPUTATION, board.computationFor("a", digest), "the task last handed to the client still counts");

        RejectedMessageException other =
                assertThrows(RejectedMessageException.class, () -> board.computationFor("c", digest));
        assertEquals(Rejection.UNKNOWN_COMPUTATION, other.reason(), "a client without a task learns nothing");
        assertThrows(RejectedMessageException.class, () -> board.computationFor("a", new byte[32]));
        assertEquals(2L, board.rejections().get(Rejection.UNKNOWN_COMPUTATION));
    }
}
