package dev.fl4j.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.secagg.SecAggException.Kind;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The four stages end to end: the unmasked sum equals the plain modular sum of the counted inputs, with and without
 * dropouts.
 */
class SecAggPlusProtocolTest {

    private static Set<Integer> all(int n) {
        return IntStream.rangeClosed(1, n).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void withoutDropoutsTheSumIsThePlainModularSum() {
        Harness h = new Harness(15, 7, 4, 20, 257);
        h.stage(id -> true);
        h.stage(id -> true);
        h.stage(id -> true);
        h.stage(id -> true);
        assertEquals(SecAggPlusServer.Stage.DONE, h.server.stage());
        assertArrayEquals(h.plainSum(all(15)), h.server.sum());
        assertEquals(all(15), h.server.contributors());
    }

    @Test
    void completeGraphIsPlainSecAggAndOneClientWorks() {
        Harness h = new Harness(6, 6, 4, 62, 9);
        for (int s = 0; s < 4; s++) {
            h.stage(id -> true);
        }
        assertArrayEquals(h.plainSum(all(6)), h.server.sum());
        Harness one = new Harness(1, 1, 1, 8, 3);
        for (int s = 0; s < 4; s++) {
            one.stage(id -> true);
        }
        assertArrayEquals(one.inputs[1], one.server.sum());
    }

    @Test
    void theGraphIsRegularWithNumSharesMinusOneNeighbours() {
        SecAggPlusServer server = new SecAggPlusServer(new SecAggPlusParameters(40, 9, 5, 16, 1));
        Set<Set<Integer>> distinct = new HashSet<>();
        for (int id = 1; id <= 40; id++) {
            Set<Integer> ns = server.neighboursOf(id);
            assertEquals(8, ns.size(), "client " + id);
            assertFalse(ns.contains(id));
            for (int v : ns) {
                assertTrue(server.neighboursOf(v).contains(id), "symmetric");
            }
            distinct.add(ns);
        }
        SecAggPlusServer other = new SecAggPlusServer(new SecAggPlusParameters(40, 9, 5, 16, 1));
        boolean differs = false;
        for (int id = 1; id <= 40; id++) {
            differs |= !other.neighboursOf(id).equals(server.neighboursOf(id));
        }
        assertTrue(differs, "two sessions draw different random graphs");
    }

    /** Dropouts at each stage, up to what the threshold allows: the sum is exact over the clients counted. */
    @Test
    void dropoutsAtEveryStageLeaveTheSumOfTheCountedInputsExact() {
        // advertise keys: 2 and 9 never answer
        Harness a = new Harness(12, 5, 3, 24, 100);
        a.stage(id -> id != 2 && id != 9);
        a.stage(id -> true);
        a.stage(id -> true);
        a.stage(id -> true);
        Set<Integer> counted = new TreeSet<>(all(12));
        counted.removeAll(List.of(2, 9));
        assertEquals(counted, a.server.contributors());
        assertArrayEquals(a.plainSum(counted), a.server.sum());

        // share keys: 4 advertised then vanished
        Harness b = new Harness(12, 5, 3, 24, 100);
        b.stage(id -> true);
        b.stage(id -> id != 4);
        b.stage(id -> true);
        b.stage(id -> true);
        counted = new TreeSet<>(all(12));
        counted.remove(4);
        assertEquals(counted, b.server.contributors());
        assertArrayEquals(b.plainSum(counted), b.server.sum());

        // masked input: 3 and 7 shared keys (their neighbours masked with them) but sent no input
        Harness c = new Harness(12, 5, 3, 24, 100);
        c.stage(id -> true);
        c.stage(id -> true);
        c.stage(id -> id != 3 && id != 7);
        c.stage(id -> true);
        counted = new TreeSet<>(all(12));
        counted.removeAll(List.of(3, 7));
        assertEquals(counted, c.server.contributors());
        assertArrayEquals(c.plainSum(counted), c.server.sum(), "the dropped clients' pairwise masks were removed");

        // unmasking: 5 sent its input, then vanished; its input counts, its seed is rebuilt from its neighbours
        Harness d = new Harness(12, 5, 3, 24, 100);
        d.stage(id -> true);
        d.stage(id -> true);
        d.stage(id -> true);
        d.stage(id -> id != 5);
        assertEquals(all(12), d.server.contributors());
        assertArrayEquals(d.plainSum(all(12)), d.server.sum());
    }

    /**
     * Eight clients drop over the four stages; they are chosen so that no client has more than three of
     * them as neighbours (the graph is random): every client keeps 5 of its 8, the threshold.
     */
    @Test
    void dropoutsAtSeveralStagesInOneRound() {
        Harness h = new Harness(40, 9, 5, 32, 64);
        List<Integer> dropping = new java.util.ArrayList<>();
        for (int candidate = 1; candidate <= 40 && dropping.size() < 8; candidate++) {
            dropping.add(candidate);
            boolean ok = true;
            for (int c = 1; c <= 40; c++) {
                Set<Integer> near = new HashSet<>(h.server.neighboursOf(c));
                near.retainAll(dropping);
                ok &= near.size() <= 3;
            }
            if (!ok) {
                dropping.remove(dropping.size() - 1);
            }
        }
        assertEquals(8, dropping.size(), "eight clients that spread over the graph");
        Set<Integer> atKeys = Set.of(dropping.get(0));
        Set<Integer> atShares = Set.of(dropping.get(1), dropping.get(2));
        Set<Integer> atInput = Set.of(dropping.get(3), dropping.get(4), dropping.get(5));
        Set<Integer> atUnmask = Set.of(dropping.get(6), dropping.get(7));
        h.stage(id -> !atKeys.contains(id));
        h.stage(id -> !atShares.contains(id));
        h.stage(id -> !atInput.contains(id));
        h.stage(id -> !atUnmask.contains(id));
        Set<Integer> counted = new TreeSet<>(all(40));
        counted.removeAll(dropping.subList(0, 6));
        assertEquals(counted, h.server.contributors());
        assertArrayEquals(h.plainSum(counted), h.server.sum());
    }

    @Test
    void belowTheThresholdTheRoundIsAbortedWithAClearError() {
        Harness keys = new Harness(5, 5, 3, 8, 4);
        keys.answer(id -> id <= 2).values().forEach(keys.server::receive);
        SecAggException e = assertThrows(SecAggException.class, keys.server::advance);
        assertEquals(Kind.BELOW_THRESHOLD, e.kind());
        assertTrue(e.getMessage().contains("2 of 5 clients responded; reconstruction_threshold is 3"), e.getMessage());
        assertEquals(SecAggPlusServer.Stage.FAILED, keys.server.stage());

        // everyone sends its input, then only 2 of 5 answer the unmasking: no self-mask seed can be rebuilt
        Harness unmask = new Harness(5, 5, 3, 8, 4);
        unmask.stage(id -> true);
        unmask.stage(id -> true);
        unmask.stage(id -> true);
        unmask.answer(id -> id <= 2).values().forEach(unmask.server::receive);
        SecAggException u = assertThrows(SecAggException.class, unmask.server::advance);
        assertEquals(Kind.BELOW_THRESHOLD, u.kind());
        assertTrue(u.getMessage().contains("only 2 shares of client 1's self-mask seed came back"), u.getMessage());
        assertThrows(IllegalStateException.class, unmask.server::sum, "no sum after an aborted round");

        // masked input: 3 of 5 drop; the two left cannot unmask each other (threshold 3)
        Harness masked = new Harness(5, 5, 3, 8, 4);
        masked.stage(id -> true);
        masked.stage(id -> true);
        masked.answer(id -> id <= 2).values().forEach(masked.server::receive);
        SecAggException m = assertThrows(SecAggException.class, masked.server::advance);
        assertEquals(Kind.BELOW_THRESHOLD, m.kind());
        assertTrue(m.getMessage().contains("the round is aborted"), m.getMessage());
    }

    /** A client whose neighbours mostly vanished leaves the round before it masks, and the rest still sum exactly. */
    @Test
    void aClientWithTooFewShareHoldersLeftIsLeftOutBeforeItMasks() {
        Harness h = new Harness(9, 5, 3, 16, 10);
        int victim = 1;
        Set<Integer> gone = new HashSet<>(h.server.neighboursOf(victim));
        // all four of its neighbours vanish at share keys; it alone cannot reach 3 holders
        h.stage(id -> true);
        h.stage(id -> !gone.contains(id));
        assertFalse(h.toClients.containsKey(victim), "client 1 gets no forwarded shares");
        h.stage(id -> true);
        h.stage(id -> true);
        assertFalse(h.server.contributors().contains(victim));
        assertArrayEquals(h.plainSum(h.server.contributors()), h.server.sum());
    }

    /** What the server holds of one client: its masked vector, uniform whatever the input. */
    @Test
    void aMaskedInputLooksUniformAndDiffersFromTheInput() {
        Harness h = new Harness(5, 5, 3, 8, 200_000);
        Arrays.fill(h.inputs[1], 0); // the most structured input there is
        h.stage(id -> true);
        h.stage(id -> true);
        byte[] masked = h.answer(id -> id == 1).get(1);
        SecAggMessages.Reader r = new SecAggMessages.Reader(masked);
        r.header();
        long[] y = SecAggMessages.readMaskedInput(r, 200_000, 8);
        assertFalse(Arrays.equals(h.inputs[1], y));
        long[] counts = new long[256];
        for (long v : y) {
            counts[(int) v]++;
        }
        double expected = y.length / 256.0;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 255 degrees of freedom: mean 255, sd 22.6; 420 is past p = 1e-9
        assertTrue(chi2 < 420, "chi-square " + chi2 + " of the masked zeros' byte histogram");
        long[] sameInput = new Harness(5, 5, 3, 8, 1).inputs[1];
        assertEquals(1, sameInput.length);
    }

    /** Shares fewer than the threshold rebuild nothing: unmasking with missing shares fails. */
    @Test
    void unmaskingWithMissingSharesFails() {
        Harness h = new Harness(7, 7, 4, 16, 5);
        h.stage(id -> true);
        h.stage(id -> true);
        h.stage(id -> true);
        h.answer(id -> id <= 3).values().forEach(h.server::receive);
        SecAggException e = assertThrows(SecAggException.class, h.server::advance);
        assertEquals(Kind.BELOW_THRESHOLD, e.kind());
        assertTrue(e.getMessage().contains("reconstruction_threshold is 4"), e.getMessage());
    }
}
