package dev.fl4j.simulation.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExamplesTest {

    /**
     * 65536 × 65536 wraps an int product to 0 and 65536 × 65537 to 65536: both must be refused, not divided by or
     * believed.
     */
    @Test
    void perExampleShapesPastTheIntRangeAreRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Examples.of(new float[0], new int[] {65536, 65536}, new int[0]));
        assertTrue(
                e.getMessage()
                        .contains("column 'x': per-example shape [65536, 65536] holds more than 2147483647 values per "
                                + "example"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Examples.of(new float[65536], new int[] {65536, 65537}, new int[1]));
        assertTrue(e.getMessage().contains("per-example shape [65536, 65537]"), e.getMessage());
        assertEquals(
                3, Examples.of(new float[3 * 6], new int[] {2, 3}, new int[3]).size());
    }
}
