package dev.fl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partitioner;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BidirectionalBenchmarkTest {

    static CompressionBenchmark.Options options(int clients, int perRound) {
        return new CompressionBenchmark.Options(
                "softmax_regression",
                3,
                clients,
                perRound,
                Partitioner.iid(),
                10,
                0.1f,
                1.0f,
                List.of(),
                "none",
                2,
                0,
                0,
                7L);
    }

    @Test
    void pairsParseAndBadOnesAreRefused() {
        assertEquals(
                new BidirectionalBenchmark.Pair("delta:drive/hadamard-uniform:8", "drive"),
                BidirectionalBenchmark.Pair.parse(" delta:drive/hadamard-uniform:8 | drive "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BidirectionalBenchmark.Pair.parse("drive"))
                .getMessage()
                .contains("BROADCAST|AGGREGATOR"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BidirectionalBenchmark.Pair.parse("none|"))
                .getMessage()
                .contains("both sides"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BidirectionalBenchmark.Pair.parse("none|zip"))
                .getMessage()
                .contains("unknown encoder 'zip'"));
        assertEquals(32.0, BidirectionalBenchmark.targetRatio(options(6, 6)));
        assertEquals(20.0, BidirectionalBenchmark.targetRatio(options(6, 2)));
    }

    @Test
    void targetChecksAreOneSidedInAccuracy() {
        CompressionBenchmark.Row better = new CompressionBenchmark.Row("x", 1, 1, 20, 0.9, +1.2, 1, 1, 100, 100, 1);
        CompressionBenchmark.Row worse = new CompressionBenchmark.Row("x", 1, 1, 20, 0.9, -0.6, 1, 1, 100, 100, 1);
        assertTrue(better.meetsTarget());
        assertTrue(!worse.meetsTarget());
        BidirectionalBenchmark.Pair p = new BidirectionalBenchmark.Pair("delta:drive", "drive");
        RoundCodecCost cheap = new RoundCodecCost(100, 100, 1, 1, 1, 1, 10);
        assertTrue(new BidirectionalBenchmark.Row(p, 1, 1, 33, 0.9, +2.0, cheap, 1).meets(32));
        assertTrue(!new BidirectionalBenchmark.Row(p, 1, 1, 33, 0.9, -0.51, cheap, 1).meets(32));
        assertTrue(!new BidirectionalBenchmark.Row(p, 1, 1, 31, 0.9, 0, cheap, 1).meets(32));
    }

    @Test
    void theTimedClientsAreTheOnesNearestTheMeanSize() {
        // sizes 1, 10, 4, 6, 9, 5 (mean 35/6 = 5.83): nearest 6 (index 3), 5 (index 5), 4, 9, 10, 1
        int[] sizes = {1, 10, 4, 6, 9, 5};
        int[][] rows = new int[sizes.length][];
        int next = 0;
        for (int k = 0; k < sizes.length; k++) {
            rows[k] = java.util.stream.IntStream.range(next, next + sizes[k]).toArray();
            next += sizes[k];
        }
        dev.fl4j.simulation.partition.Partition partition = new dev.fl4j.simulation.partition.Partition("test", rows);
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new int[] {3, 5, 2}, BidirectionalBenchmark.typicalClients(partition, 3));
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new int[] {3, 5, 2, 4, 1, 0}, BidirectionalBenchmark.typicalClients(partition, 10));
    }

    /**
     * All four calls count against the strict reading, the broadcast encode shared by the round's clients; only the
     * client's decode and encode against the other.
     */
    @Test
    void theTimeTargetReadsAllFourCallsOrTheClientsTwo() {
        BidirectionalBenchmark.Pair p = new BidirectionalBenchmark.Pair("delta:drive", "drive");
        // server: broadcast encode 3 (once for 2 clients) + update decode 1; client: broadcast decode 2 + encode 2.5
        RoundCodecCost cost = new RoundCodecCost(100, 120, 3, 2, 2.5, 1, 2);
        assertEquals(0.045, cost.clientShare(), 1e-12);
        assertEquals(0.025, cost.serverShare(), 1e-12);
        assertEquals(0.07, cost.allShare(), 1e-12);
        BidirectionalBenchmark.Row row = new BidirectionalBenchmark.Row(p, 1, 1, 33, 0.9, 0, cost, 1);
        assertTrue(!row.meets(32), "7% of training in all four calls");
        assertTrue(row.meetsOnTheClient(32), "4.5% on the client");
        RoundCodecCost wideRound = new RoundCodecCost(100, 120, 3, 2, 2, 0.5, 30);
        assertEquals(0.046, wideRound.allShare(), 1e-12, "a broadcast encode shared by 30 clients costs each 0.1 ms");
        assertTrue(new BidirectionalBenchmark.Row(p, 1, 1, 33, 0.9, 0, wideRound, 1).meets(32));
        RoundCodecCost clientHeavy = new RoundCodecCost(100, 120, 0, 3, 2.5, 0, 1);
        assertTrue(!new BidirectionalBenchmark.Row(p, 1, 1, 33, 0.9, 0, clientHeavy, 1).meetsOnTheClient(32));
        assertThrows(IllegalArgumentException.class, () -> new RoundCodecCost(100, 120, 3, 2, 2, 1, 0));
    }

    /**
     * Each row's bits are what the same training loop, run on its own, counts in each direction, and
     * the total ratio is the baseline's total over the pair's.
     */
    @Test
    void rowsCountBothDirectionsAsTheTrainingLoopDoes() {
        CompressionBenchmark.Options o = options(4, 4);
        TrainTest data = new TrainTest(CompressionBenchmarkTest.images(80, 3), CompressionBenchmarkTest.images(40, 4));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<BidirectionalBenchmark.Pair> pairs = List.of(
                BidirectionalBenchmark.Pair.parse("delta:drive@1000|drive@1000"),
                BidirectionalBenchmark.Pair.parse("hadamard-uniform:4@1000|none"));
        List<BidirectionalBenchmark.Row> rows =
                BidirectionalBenchmark.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), o, pairs, data);
        assertEquals(3, rows.size());
        assertEquals("none|none", rows.get(0).pair().toString());
        ModelSpec spec = BenchModels.byName(o.model());
        Examples train = CompressionBenchmark.shapedFor(spec, data.train());
        ClientData clients =
                o.partition().partition(train.ints("y"), o.clients(), o.seed()).toClientData(train);
        for (BidirectionalBenchmark.Row row : rows) {
            TrainingResult r;
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
                r = CompressionBenchmark.loop(
                                rt,
                                o,
                                CompressionBenchmark.process(
                                        spec,
                                        o,
                                        row.pair().aggregator(),
                                        row.pair().broadcast()),
                                clients,
                                n -> {})
                        .build()
                        .run();
            }
            var last = r.history().get(r.history().size() - 1).metrics();
            assertEquals(
                    last.get(TrainingLoop.BROADCASTED_BITS) / o.rounds(), row.broadcastBitsPerRound(), row.toString());
            assertEquals(
                    last.get(TrainingLoop.AGGREGATED_BITS) / o.rounds(), row.aggregatedBitsPerRound(), row.toString());
            assertEquals(
                    rows.get(0).totalBitsPerRound() / row.totalBitsPerRound(), row.totalRatio(), 1e-12, row.toString());
        }
        assertTrue(rows.get(1).totalRatio() > 1.5, "a 1-bit delta and drive both ways: " + rows.get(1));
        RoundCodecCost coded = rows.get(1).cost();
        assertTrue(
                coded.broadcastEncodeMillis() > 0
                        && coded.broadcastDecodeMillis() > 0
                        && coded.updateEncodeMillis() > 0
                        && coded.updateDecodeMillis() > 0,
                "both directions coded: " + coded);
        assertTrue(coded.trainMillis() > 0 && coded.trainWallMillis() > 0, "training timed: " + coded);
        RoundCodecCost plain = rows.get(0).cost();
        assertEquals(0, plain.allShare(), "none|none calls no codec: " + plain);
        RoundCodecCost broadcastOnly = rows.get(2).cost();
        assertTrue(
                broadcastOnly.broadcastDecodeMillis() > 0 && broadcastOnly.updateEncodeMillis() == 0,
                "hadamard-uniform:4|none codes the broadcast only: " + broadcastOnly);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("total/rnd") && out.contains(">= 32x fewer total bits"), out);
        assertTrue(out.contains("client%") && out.contains("calling thread's CPU time"), out);
    }
}
