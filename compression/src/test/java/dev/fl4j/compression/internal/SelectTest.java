package dev.fl4j.compression.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SelectTest {

    /** The k-th largest magnitude by sorting: what the radix selection must equal exactly. */
    private static float bySorting(float[] v, int k) {
        float[] mags = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            mags[i] = Math.abs(v[i]);
        }
        Arrays.sort(mags);
        return mags[v.length - k];
    }

    @Test
    void equalsSortingOnMixedMagnitudesTiesZerosAndSubnormals() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(3000);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (r.nextInt(6)) {
                    case 0 -> 0f;
                    case 1 -> -0f;
                    case 2 -> Float.MIN_VALUE * r.nextInt(1, 100);
                    case 3 -> (r.nextBoolean() ? 1 : -1) * (float) r.nextInt(4);
                    case 4 -> (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-30, 30)));
                    default -> (float) (r.nextGaussian() * 0.002);
                };
            }
            float[] copy = v.clone();
            for (int k : new int[] {1, n, 1 + r.nextInt(n), Math.max(1, n / 20)}) {
                assertEquals(
                        Float.floatToIntBits(bySorting(v, k)),
                        Float.floatToIntBits(Select.kthLargestMagnitude(v, k)),
                        "trial " + trial + ", n " + n + ", k " + k);
            }
            assertEquals(Arrays.toString(copy), Arrays.toString(v), "the input is not reordered");
        }
    }

    @Test
    void infinitiesAreTheLargestAndKMustBeInRange() {
        float[] v = {1f, Float.NEGATIVE_INFINITY, -3f, Float.MAX_VALUE};
        assertEquals(Float.POSITIVE_INFINITY, Select.kthLargestMagnitude(v, 1));
        assertEquals(Float.MAX_VALUE, Select.kthLargestMagnitude(v, 2));
        assertEquals(1f, Select.kthLargestMagnitude(v, 4));
        assertThrows(IllegalArgumentException.class, () -> Select.kthLargestMagnitude(v, 0));
        assertThrows(IllegalArgumentException.class, () -> Select.kthLargestMagnitude(v, 5));
    }
}
