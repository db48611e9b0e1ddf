package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import org.junit.jupiter.api.Test;

class PartialHandOverTest {

    @Test
    void anOpenPassTakesEachBlocksLastOfferOnce() {
        String key = PartialHandOver.open();
        try {
            Value first = Tensor.vector(1.5f);
            Value retried = Tensor.vector(1.5f);
            assertTrue(PartialHandOver.offer(key, 0, first));
            assertTrue(PartialHandOver.offer(key, 0, retried), "a retried task offers again");
            assertSame(retried, PartialHandOver.take(key, 0), "the value itself, unencoded: the later offer");
            assertNull(PartialHandOver.take(key, 0), "taken once");
            assertNull(PartialHandOver.take(key, 1), "nothing was offered for block 1");
        } finally {
            PartialHandOver.close(key);
        }
    }

    @Test
    void offersOutsideAnOpenPassFailSoTheTaskSendsBytes() {
        String key = PartialHandOver.open();
        String other = PartialHandOver.open();
        assertNotEquals(key, other);
        PartialHandOver.close(key);
        assertFalse(PartialHandOver.offer(key, 0, Tensor.vector(2f)), "a late task of an ended pass");
        assertFalse(PartialHandOver.offer(null, 0, Tensor.vector(2f)), "no hand-over (a cluster's executors)");
        assertFalse(PartialHandOver.offer("not-a-pass", 0, Tensor.vector(2f)));
        assertNull(PartialHandOver.take(key, 0));
        assertTrue(PartialHandOver.offer(other, 3, Tensor.vector(2f)), "closing one pass leaves the others open");
        PartialHandOver.close(other);
        PartialHandOver.close(null);
        assertEquals(0, PartialHandOver.openPasses());
    }

    @Test
    void aBlockOutputIsEncodedExactlyWhenTheOfferFails() {
        Value partial = Tensor.vector(1f, -0f, Float.MIN_VALUE);
        ExecutorSide.BlockOutput remote = ExecutorSide.BlockOutput.folded(2, partial, null, java.util.List.of());
        assertFalse(remote.handedOver());
        assertEquals(partial, ValueCodec.decode(remote.partial()));
        String key = PartialHandOver.open();
        try {
            ExecutorSide.BlockOutput local = ExecutorSide.BlockOutput.folded(2, partial, key, java.util.List.of("f"));
            assertTrue(local.handedOver());
            assertNull(local.partial());
            assertEquals(java.util.List.of("f"), local.stateFiles());
            assertSame(partial, PartialHandOver.take(key, 2));
        } finally {
            PartialHandOver.close(key);
        }
    }
}
