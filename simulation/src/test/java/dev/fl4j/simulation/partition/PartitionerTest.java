package dev.fl4j.simulation.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionerTest {

    /** 6000 rows, 600 of each of 10 labels, interleaved. */
    private static int[] balancedLabels() {
        int[] y = new int[6000];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 10;
        }
        return y;
    }

    /** Every row is owned by exactly one client. */
    private static void assertExactCover(Partition p, int n) {
        int[] owners = new int[n];
        for (int c = 0; c < p.clients(); c++) {
            for (int r : p.rowsOf(c)) {
                owners[r]++;
            }
        }
        for (int r = 0; r < n; r++) {
            assertEquals(1, owners[r], "row " + r);
        }
    }

    @Test
    void iidIsBalancedSeededAndComplete() {
        int[] y = balancedLabels();
        Partition p = Partitioner.iid().partition(y, 100, 1);
        assertExactCover(p, y.length);
        PartitionSummary s = p.summary(y);
        assertEquals(60, s.examplesPerClient().min());
        assertEquals(60, s.examplesPerClient().max());
        assertTrue(s.labelsPerClient().min() >= 8, s.toString());
        assertArrayEquals(p.rowsOf(7), Partitioner.iid().partition(y, 100, 1).rowsOf(7));
        assertFalse(Arrays.equals(
                p.rowsOf(7), Partitioner.iid().partition(y, 100, 2).rowsOf(7)));
    }

    @Test
    void dirichletSkewGrowsAsAlphaShrinks() {
        int[] y = balancedLabels();
        Partition mild = Partitioner.dirichlet(100).partition(y, 20, 3);
        Partition harsh = Partitioner.dirichlet(0.1).partition(y, 20, 3);
        assertExactCover(mild, y.length);
        assertExactCover(harsh, y.length);
        assertEquals(10, mild.summary(y).labelsPerClient().min());
        assertTrue(
                harsh.summary(y).labelsPerClient().median() < 10,
                harsh.summary(y).toString());
        assertTrue(dominantShare(mild, y) < 0.2, "mild: " + dominantShare(mild, y));
        assertTrue(dominantShare(harsh, y) > 0.5, "harsh: " + dominantShare(harsh, y));
        assertArrayEquals(
                harsh.rowsOf(4), Partitioner.dirichlet(0.1).partition(y, 20, 3).rowsOf(4));
    }

    /** Mean over clients of the fraction of the client's examples that carry its most common label. */
    private static double dominantShare(Partition p, int[] y) {
        double sum = 0;
        for (int c = 0; c < p.clients(); c++) {
            int[] counts = new int[10];
            for (int r : p.rowsOf(c)) {
                counts[y[r]]++;
            }
            sum += Arrays.stream(counts).max().orElseThrow() / (double) p.sizeOf(c);
        }
        return sum / p.clients();
    }

    @Test
    void dirichletThatEmptiesAClientIsRejected() {
        int[] y = balancedLabels();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Partitioner.dirichlet(0.001).partition(y, 200, 1));
        assertTrue(e.getMessage().contains("Dirichlet(α=0.001) label skew, seed 1 would leave"), e.getMessage());
        assertTrue(e.getMessage().contains("clients without examples"), e.getMessage());
    }

    @Test
    void shardsGiveEachClientAtMostKLabels() {
        int[] y = balancedLabels();
        Partition p = Partitioner.shards(2).partition(y, 100, 5);
        assertExactCover(p, y.length);
        PartitionSummary s = p.summary(y);
        assertEquals(60, s.examplesPerClient().min());
        assertEquals(60, s.examplesPerClient().max());
        assertTrue(s.labelsPerClient().max() <= 2, s.toString());
        assertThrows(
                IllegalArgumentException.class, () -> Partitioner.shards(100).partition(y, 100, 5));
    }

    @Test
    void quantitySkewVariesSizes() {
        int[] y = balancedLabels();
        Partition p = Partitioner.quantitySkew(1).partition(y, 10, 9);
        assertExactCover(p, y.length);
        PartitionSummary s = p.summary(y);
        assertTrue(s.examplesPerClient().max() > 2 * s.examplesPerClient().min(), s.toString());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Partitioner.quantitySkew(0.01).partition(y, 50, 9));
        assertTrue(e.getMessage().contains("without examples"), e.getMessage());
    }

    @Test
    void summaryPrintsCountsAndTheFactoriesDescribeThemselves() {
        int[] y = {0, 0, 1, 1, 2, 2, 2};
        Partition p = new Partition("hand-made", new int[][] {{0, 1}, {2, 3, 4}, {5, 6}});
        assertEquals(
                "hand-made: 3 clients, 7 examples\n  examples per client: min 2, median 2, max 3\n"
                        + "  labels per client:   min 1, median 1, max 2",
                p.summary(y).toString());
        assertEquals(p.rowsOf(1).length, 3);
        assertTrue(Partitioner.dirichlet(0.5)
                .partition(balancedLabels(), 5, 1)
                .description()
                .contains("α=0.5"));
        assertTrue(Partitioner.shards(2)
                .partition(balancedLabels(), 5, 1)
                .description()
                .contains("2 label-sorted"));
        assertTrue(Partitioner.iid()
                .partition(balancedLabels(), 5, 1)
                .description()
                .startsWith("IID"));
        assertThrows(IllegalArgumentException.class, () -> Partitioner.shards(0));
        assertThrows(IllegalArgumentException.class, () -> Partitioner.dirichlet(0));
        assertThrows(IllegalArgumentException.class, () -> Partitioner.iid().partition(new int[3], 4, 1));
        assertThrows(IllegalArgumentException.class, () -> new Partition("x", new int[][] {{0}, {}}));
    }

    @Test
    void partitionBecomesClientDataOverRowViews() {
        int n = 50;
        float[] x = new float[n * 3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(x, i * 3, i * 3 + 3, i);
            y[i] = i % 5;
        }
        Examples ex = Examples.of(x, new int[] {3}, y);
        Partition p = Partitioner.shards(1).partition(y, 5, 2);
        ClientData cd = p.toClientData(ex);
        assertEquals(List.of("client_0", "client_1", "client_2", "client_3", "client_4"), cd.clientIds());
        for (int c = 0; c < 5; c++) {
            int[] expectedRows = p.rowsOf(c);
            int k = 0;
            for (Value v : cd.datasetFor("client_" + c).batch(4)) {
                Struct s = (Struct) v;
                for (int i = 0; i < s.tensor("y").size(); i++) {
                    int row = (int) s.tensor("x").floatData()[i * 3];
                    assertEquals(expectedRows[k++], row);
                    assertEquals(y[row], s.tensor("y").intData()[i]);
                }
            }
            assertEquals(expectedRows.length, k);
        }
    }
}
