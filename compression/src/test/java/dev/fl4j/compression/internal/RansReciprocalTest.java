package dev.fl4j.compression.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rANS encoder's division by multiplication is exact for every frequency and state. */
class RansReciprocalTest {

    @Test
    void quotientEqualsIntegerDivisionForEveryFrequency() {
        SplittableRandom r = new SplittableRandom(3);
        for (int f = 1; f <= RansStage.PROB_SCALE; f++) {
            long reciprocal = RansStage.reciprocal(f);
            int shift = RansStage.reciprocalShift(f);
            int[] edges = {
                0,
                1,
                f - 1,
                f,
                f + 1,
                2 * f - 1,
                (int) RansStage.RANS_L,
                (int) RansStage.RANS_L - 1,
                Integer.MAX_VALUE,
                Integer.MAX_VALUE - 1,
                Integer.MAX_VALUE / f * f,
                Integer.MAX_VALUE / f * f - 1
            };
            for (int x : edges) {
                assertEquals(x / f, (int) ((x * reciprocal) >>> shift), "x=" + x + " f=" + f);
            }
            for (int k = 0; k < 32; k++) {
                int x = r.nextInt(Integer.MAX_VALUE);
                assertEquals(x / f, (int) ((x * reciprocal) >>> shift), "x=" + x + " f=" + f);
            }
        }
    }
}
