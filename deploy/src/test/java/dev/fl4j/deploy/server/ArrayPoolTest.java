package dev.fl4j.deploy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fl4j.deploy.ChunkAssembler;
import org.junit.jupiter.api.Test;

class ArrayPoolTest {

    @Test
    void anArrayGivenBackIsHandedOutAgainForTheSameLengthOnly() {
        ArrayPool pool = new ArrayPool(2);
        byte[] a = pool.take(100);
        assertEquals(100, a.length);
        pool.give(a);
        assertNotSame(a, pool.take(99), "another length gets a new array");
        assertSame(a, pool.take(100));
        assertNotSame(a, pool.take(100), "handed out once until given back again");
        assertEquals(0, pool.held());
    }

    @Test
    void thePoolKeepsTheArraysGivenBackLast() {
        ArrayPool pool = new ArrayPool(2);
        byte[] first = new byte[10];
        byte[] second = new byte[20];
        byte[] third = new byte[30];
        pool.give(first);
        pool.give(second);
        pool.give(third);
        assertEquals(2, pool.held());
        assertNotSame(first, pool.take(10), "the oldest made room");
        assertSame(third, pool.take(30));
        assertSame(second, pool.take(20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ArrayPool(0));
        assertEquals("an array pool holds at least 1 array, got 0", e.getMessage());
    }

    @Test
    void anAssemblerOverwritesAReusedArrayWhole() {
        ArrayPool pool = new ArrayPool(1);
        byte[] used = new byte[] {9, 9, 9, 9};
        pool.give(used);
        ChunkAssembler a = new ChunkAssembler(4, 100, 2, "result", pool::take);
        a.add(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2}));
        a.add(com.google.protobuf.ByteString.copyFrom(new byte[] {3, 4}));
        assertSame(used, a.bytes());
        assertEquals("[1, 2, 3, 4]", java.util.Arrays.toString(a.bytes()));
        IllegalArgumentException wrong = assertThrows(
                IllegalArgumentException.class, () -> new ChunkAssembler(4, 100, 2, "result", n -> new byte[n + 1]));
        assertEquals("an array of 4 bytes was asked for, got 5", wrong.getMessage());
    }
}
