package dev.fl4j.deploy.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.DeployFixture;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.training.TrainingLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TrainingSlotsTest {

    @Test
    void noMoreTasksTrainAtOnceThanThereAreSlots() throws Exception {
        TrainingSlots slots = TrainingSlots.of(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int task = i;
                done.add(pool.submit(() -> slots.run(slot -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    sleep(60);
                    running.decrementAndGet();
                    return task;
                })));
            }
            for (int i = 0; i < 6; i++) {
                assertEquals(i, done.get(i).get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, most.get(), "six tasks of 60 ms on two slots: two at a time, never three");
    }

    @Test
    void aSlotIsGivenBackWhenTheWorkFails() throws Exception {
        TrainingSlots slots = TrainingSlots.of(1);
        assertThrows(
                IllegalStateException.class,
                () -> slots.run(slot -> {
                    throw new IllegalStateException("training failed");
                }));
        assertEquals("next", slots.run(slot -> "next"), "the failed task's slot is free again");
    }

    @Test
    void aClientInterruptedWhileWaitingDoesNotRunItsWork() throws Exception {
        TrainingSlots slots = TrainingSlots.of(1);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try {
                slots.run(slot -> {
                    holding.countDown();
                    await(release);
                    return null;
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.start();
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        AtomicBoolean ran = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            try {
                slots.run(slot -> ran.getAndSet(true));
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        waiter.start();
        Thread.sleep(50);
        waiter.interrupt();
        waiter.join(10_000);
        release.countDown();
        holder.join(10_000);
        assertTrue(interrupted.get(), "the waiting client is told it was interrupted");
        assertFalse(ran.get(), "its work never ran");
    }

    @Test
    void theClientsTakingASlotShareItsResourcesUntilTheSlotsClose() throws Exception {
        AtomicInteger made = new AtomicInteger();
        List<Closed> resources = new ArrayList<>();
        java.util.function.Supplier<Closed> factory = () -> {
            made.incrementAndGet();
            Closed c = new Closed();
            resources.add(c);
            return c;
        };
        TaskContext a = new TaskContext("client-a", new ClientStates(null));
        TaskContext b = new TaskContext("client-b", new ClientStates(null));
        Closed ofA;
        Closed ofB;
        try (TrainingSlots slots = TrainingSlots.of(1)) {
            ofA = slots.run(slot -> {
                a.begin(0, slot);
                return a.workerResource("trainer", factory);
            });
            ofB = slots.run(slot -> {
                b.begin(0, slot);
                return b.workerResource("trainer", factory);
            });
            assertTrue(ofA == ofB, "the second client on the slot reuses the trainer the first one made");
            assertEquals(1, made.get());

            a.begin(1, null);
            Closed own = a.workerResource("trainer", factory);
            assertFalse(own == ofA, "a task without a slot runs on the client's own worker");
            a.close();
            b.close();
            assertTrue(own.closed, "closing the client closes its own worker's resources");
            assertFalse(ofA.closed, "but not the slot's, which outlive the clients");
        }
        assertTrue(ofA.closed, "closing the slots closes their resources");
    }

    @Test
    void tasksRunningAtOnceSeeDifferentWorkersWithResourcesOfTheirOwn() throws Exception {
        TrainingSlots slots = TrainingSlots.of(2);
        CountDownLatch bothHoldASlot = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<int[]>> seen = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                TaskContext context = new TaskContext("client-" + k, new ClientStates(null));
                seen.add(pool.submit(() -> slots.run(slot -> {
                    context.begin(0, slot);
                    bothHoldASlot.countDown();
                    await(bothHoldASlot);
                    Object resource = context.workerResource("trainer", Object::new);
                    return new int[] {context.workerIndex(), System.identityHashCode(resource)};
                })));
            }
            int[] first = seen.get(0).get(10, TimeUnit.SECONDS);
            int[] second = seen.get(1).get(10, TimeUnit.SECONDS);
            assertEquals(1, first[0] + second[0], "worker indices 0 and 1, one each");
            assertFalse(first[1] == second[1], "each slot made its own resource");
        } finally {
            pool.shutdownNow();
            slots.close();
        }
    }

    /** A resource that records being closed. */
    private static final class Closed implements AutoCloseable {
        volatile boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void slotsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSlots.of(0));
        assertEquals("training slots must be at least 1, got 0", e.getMessage());
        assertTrue(TrainingSlots.perCore().size() >= 1);
    }

    @Test
    void clientsSharingOneSlotAndTheirArgumentsFinishTheRunWithTheLocalRuntimesModel() throws Exception {
        int rounds = 2;
        TrainingSlots slots = TrainingSlots.of(1);
        SharedArguments arguments = SharedArguments.forHost();
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server = DeployFixture.server(DeployFixture.CLIENTS, rounds)
                .optRoundTimeout(Duration.ofSeconds(60))
                .build()
                .start()) {
            String target =
                    server.address().getHostString() + ":" + server.address().getPort();
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.clientBuilder(target, k)
                        .optTrainingSlots(slots)
                        .optSharedArguments(arguments)
                        .build()
                        .start());
            }
            DeployResult deployed = server.run();
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(DeployFixture.CLIENTS, rounds)),
                    DeployFixture.bytes(deployed.weights()));
            int downloaded = 0;
            for (FederatedClient c : clients) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(20)));
                assertEquals(rounds, c.tasksDone(), "every client trained every round, one at a time");
                downloaded += c.argumentsFetched();
            }
            assertEquals(rounds, downloaded, "the host downloaded each round's broadcast once for its 3 clients");
            assertEquals(rounds, arguments.downloads());
            assertEquals(rounds, arguments.decodes(), "and decoded it once; each client read only its position");
            Map<String, Double> last = deployed.history().get(rounds - 1);
            double shared = last.get(DeployServer.ARGUMENT_BYTES_SHARED);
            double broadcast = last.get(TrainingLoop.BROADCASTED_BITS) / 8;
            // two of the three clients' arguments a round did not cross the wire: each the client's broadcast
            // (accounted per client) in ValueCodec bytes, plus the encoding's headers and the client's position
            double perArgument = shared / (2 * rounds);
            double perBroadcast = broadcast / (DeployFixture.CLIENTS * rounds);
            assertTrue(
                    perArgument >= perBroadcast && perArgument <= perBroadcast + 512,
                    "shared " + shared + " B: " + perArgument + " B an argument, broadcast " + perBroadcast + " B");
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
            slots.close(); // after the clients, which share its trainer
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
