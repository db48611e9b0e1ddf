package dev.fl4j.deploy.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedArgumentsTest {

    private static final byte[] ROUND_1 = {1, 2, 3, 4};
    private static final byte[] ROUND_2 = {5, 6, 7};

    @Test
    void clientsAskingAtOnceShareOneDownload() throws Exception {
        SharedArguments shared = SharedArguments.forHost();
        AtomicInteger fetched = new AtomicInteger();
        CountDownLatch allAsked = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<byte[]>> got = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                got.add(pool.submit(() -> shared.get(Payloads.sha256(ROUND_1), () -> {
                            fetched.incrementAndGet();
                            allAsked.await(10, TimeUnit.SECONDS); // the others ask while this download runs
                            return ROUND_1.clone();
                        })
                        .bytes()));
            }
            Thread.sleep(100);
            allAsked.countDown();
            byte[] first = got.get(0).get(10, TimeUnit.SECONDS);
            assertArrayEquals(ROUND_1, first);
            for (Future<byte[]> g : got) {
                assertSame(first, g.get(10, TimeUnit.SECONDS), "one array for the host's clients");
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, fetched.get());
        assertEquals(1, shared.downloads());
    }

    @Test
    void bytesThatDoNotHashToTheDigestAreRefusedAndNotKept() throws Exception {
        SharedArguments shared = SharedArguments.forHost();
        RejectedMessageException e = assertThrows(
                RejectedMessageException.class, () -> shared.get(Payloads.sha256(ROUND_1), ROUND_2::clone));
        assertEquals(Rejection.MALFORMED, e.reason());
        assertTrue(e.getMessage().endsWith("hashes otherwise"), e.getMessage());
        assertArrayEquals(
                ROUND_1, shared.get(Payloads.sha256(ROUND_1), ROUND_1::clone).bytes(), "the next client fetches");
        assertEquals(2, shared.downloads());
    }

    @Test
    void aClientWaitingForAFailedDownloadFetchesTheBytesItself() throws Exception {
        SharedArguments shared = SharedArguments.forHost();
        CountDownLatch secondWaits = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<SharedArguments.Held> failing = pool.submit(() -> shared.get(Payloads.sha256(ROUND_1), () -> {
                secondWaits.await(10, TimeUnit.SECONDS);
                Thread.sleep(50);
                throw new IllegalStateException("task 1: the server did not send its argument");
            }));
            Thread.sleep(50);
            Future<byte[]> second = pool.submit(() -> {
                secondWaits.countDown();
                return shared.get(Payloads.sha256(ROUND_1), ROUND_1::clone).bytes();
            });
            assertThrows(Exception.class, () -> failing.get(10, TimeUnit.SECONDS));
            assertArrayEquals(ROUND_1, second.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, shared.downloads(), "the failed download and the waiting client's own");
    }

    @Test
    void theHostDecodesSharedBytesOnceAndEachClientReadsOnlyItsOwnPosition() throws Exception {
        Value model = Struct.builder()
                .add("weights", Tensor.of(new float[] {1f, -2f, 3f, 0.5f}, 2, 2))
                .add("client_index", Tensor.scalar(0))
                .build();
        byte[] round = ValueCodec.encode(model);
        SharedArguments shared = SharedArguments.forHost();
        SharedArguments.Held held = shared.get(Payloads.sha256(round), round::clone);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<ValueCodec.Decoded>> decoded = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                decoded.add(pool.submit(held::decoded));
            }
            for (Future<ValueCodec.Decoded> d : decoded) {
                assertSame(decoded.get(0).get(10, TimeUnit.SECONDS), d.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, shared.decodes());
        Struct kept = (Struct) held.decoded().value();
        assertEquals(model, kept);

        byte[] clientSeven = ValueCodec.encode(Struct.builder()
                .add("weights", Tensor.of(new float[] {1f, -2f, 3f, 0.5f}, 2, 2))
                .add("client_index", Tensor.scalar(7))
                .build());
        Struct seven = (Struct) ValueCodec.decode(clientSeven, held.decoded());
        assertSame(kept.get("weights"), seven.get("weights"), "the host's one model");
        assertEquals(7, seven.tensor("client_index").intData()[0]);
        assertEquals(1, shared.decodes());

        SharedArguments.Held notAValue = shared.get(Payloads.sha256(ROUND_2), ROUND_2::clone);
        assertNull(notAValue.decoded(), "bytes that are no value: each client's own decode says why");
        assertEquals(1, shared.decodes());
    }

    @Test
    void onlyTheLatestArgumentsAreHeld() throws Exception {
        SharedArguments shared = SharedArguments.of(1);
        shared.get(Payloads.sha256(ROUND_1), ROUND_1::clone);
        shared.get(Payloads.sha256(ROUND_1), ROUND_1::clone);
        assertEquals(1, shared.downloads(), "held");
        shared.get(Payloads.sha256(ROUND_2), ROUND_2::clone);
        shared.get(Payloads.sha256(ROUND_1), ROUND_1::clone);
        assertEquals(3, shared.downloads(), "round 1's bytes made room for round 2's");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedArguments.of(0));
        assertEquals("shared arguments need room for at least 1, got 0", e.getMessage());
    }
}
