package dev.fl4j.cli.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PartitionSpecTest {

    /** 6000 rows, 600 of each of 10 labels, interleaved. */
    private static int[] balancedLabels() {
        int[] y = new int[6000];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 10;
        }
        return y;
    }

    @Test
    void theNamesAreThePartitionersFactories() {
        assertTrue(PartitionSpec.parse("dirichlet:0.5")
                .partition(balancedLabels(), 5, 1)
                .description()
                .contains("α=0.5"));
        assertTrue(PartitionSpec.parse("shards:2")
                .partition(balancedLabels(), 5, 1)
                .description()
                .contains("2 label-sorted"));
        assertTrue(PartitionSpec.parse(" IID ")
                .partition(balancedLabels(), 5, 1)
                .description()
                .startsWith("IID"));
        assertTrue(PartitionSpec.parse("quantity:1")
                .partition(balancedLabels(), 5, 1)
                .description()
                .startsWith("quantity skew (Dirichlet(α=1.0)"));
    }

    @Test
    void badSpecsNameTheOptionTheTokenAndTheForms() {
        assertMessage(
                "dirichlet:x",
                "partition 'dirichlet:x': ALPHA must be a number, got 'x'; valid forms: iid, dirichlet:ALPHA, "
                        + "shards:K, quantity:ALPHA");
        assertMessage("shards:2.5", "partition 'shards:2.5': K must be a whole number, got '2.5'; valid forms:");
        assertMessage("zipf:1", "partition 'zipf:1': unknown partition 'zipf'; valid forms:");
        assertMessage("iid:3", "partition 'iid:3': 'iid' takes 0 argument(s) (iid), got 1");
        assertMessage("dirichlet", "partition 'dirichlet': 'dirichlet' takes 1 argument(s) (dirichlet:ALPHA), got 0");
        assertMessage(
                "dirichlet:0",
                "partition 'dirichlet:0': Dirichlet concentration α must be positive and finite, got 0.0");
        assertMessage("shards:0", "partition 'shards:0': shards per client must be positive, got 0");
        assertMessage(" ", "partition ' ': empty partition");
    }

    private static void assertMessage(String spec, String expected) {
        SpecException e = assertThrows(SpecException.class, () -> PartitionSpec.parse(spec));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        assertEquals("partition", e.option());
        assertEquals(spec, e.spec());
    }
}
