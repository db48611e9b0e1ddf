package dev.fl4j.core.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeedsTest {

    @Test
    void samePlaceGivesTheSameSeed() {
        long purpose = Seeds.purpose("training/sampling");
        assertEquals(Seeds.derive(42, purpose, 3, 17), Seeds.derive(42, purpose, 3, 17));
        assertEquals(Seeds.purpose("training/sampling"), purpose);
        assertEquals(Seeds.deriveForEncoding(42, 2), Seeds.deriveForEncoding(42, 2));
        assertEquals(Seeds.deriveForModel(42, 5, 2, 1), Seeds.deriveForModel(42, 5, 2, 1));
    }

    @Test
    void distinctPlacesGiveDistinctSeeds() {
        Set<Long> seen = new HashSet<>();
        int places = 0;
        for (long run : new long[] {0, 1, 42, -1}) {
            for (String purpose : new String[] {"training/sampling", "training/dropout", "dataset/shuffle"}) {
                for (long round = 0; round < 20; round++) {
                    for (long client = 0; client < 20; client++) {
                        seen.add(Seeds.derive(run, Seeds.purpose(purpose), round, client));
                        places++;
                    }
                }
            }
        }
        assertEquals(places, seen.size());
    }

    @Test
    void theOrderAndNumberOfPartsMatter() {
        assertNotEquals(Seeds.derive(7, 1, 2), Seeds.derive(7, 2, 1));
        assertNotEquals(Seeds.derive(7, 1), Seeds.derive(7, 1, 0));
        assertNotEquals(Seeds.derive(7), Seeds.derive(7, 0));
        assertNotEquals(Seeds.derive(7), 7L);
        assertNotEquals(Seeds.deriveForModel(7, 1, 2), Seeds.deriveForModel(7, 2, 1));
        assertNotEquals(Seeds.deriveForEncoding(7, 0), Seeds.deriveForEncoding(7, 1));
        assertNotEquals(Seeds.purpose("a/b"), Seeds.purpose("b/a"));
    }

    @Test
    void aOneBitChangeOfTheRunSeedChangesAboutHalfTheBits() {
        long total = 0;
        for (int bit = 0; bit < 64; bit++) {
            total += Long.bitCount(Seeds.derive(42, 3, 7) ^ Seeds.derive(42 ^ (1L << bit), 3, 7));
        }
        assertEquals(32, total / 64.0, 3);
    }

    /**
     * Seeds recorded from the derivations this class replaced (core's Seeds, compression's and
     * learning's SplitMix64.derive). Client sampling, encoded messages and initial weights of
     * earlier runs depend on them, so they must not move.
     */
    @Test
    void derivationsKeepTheSeedsResultsArePinnedTo() {
        assertEquals(0xBDD732262FEB6E95L, Seeds.derive(42));
        assertEquals(0x07BDFA5B4A5F0F15L, Seeds.derive(42, 3, 7));
        assertEquals(0xEB91348AD2A00F6AL, Seeds.purpose("training/sampling"));
        assertEquals(0x57E1FABA65107204L, Seeds.deriveForEncoding(42, 0));
        assertEquals(0xF4ABD143FEB24055L, Seeds.deriveForEncoding(42, 1));
        assertEquals(0x0FEEFEE81E5CA5D9L, Seeds.deriveForModel(42, 0));
        assertEquals(0x5B511EBF8F46DC37L, Seeds.deriveForModel(42, 5, 2, 1));
    }
}
