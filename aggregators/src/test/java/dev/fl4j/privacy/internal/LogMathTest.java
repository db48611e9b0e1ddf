package dev.fl4j.privacy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LogMathTest {

    /** Reference values of erfc from mpmath (50 digits), rounded to double. */
    @Test
    void logErfcMatchesReferenceValuesAcrossTheRange() {
        double[][] cases = {
            {-5.0, Math.log(1.9999999999984625)},
            {-1.0, Math.log(1.8427007929497149)},
            {0.0, 0.0},
            {0.1, Math.log(0.8875370839817151)},
            {1.0, Math.log(0.15729920705028513)},
            {1.99, Math.log(0.004888586800383003)},
            {2.0, Math.log(0.0046777349810472658)},
            {3.0, Math.log(2.2090496998585441e-05)},
            {10.0, Math.log(2.0884875837625448e-45)},
            {30.0, -903.97411711064388},
        };
        for (double[] c : cases) {
            double expected = c[1];
            assertEquals(
                    expected,
                    LogMath.logErfc(c[0]),
                    Math.max(1e-13, Math.abs(expected) * 1e-14),
                    "logErfc(" + c[0] + ")");
        }
    }

    @Test
    void logErfcIsContinuousWhereTheMethodsMeet() {
        double below = LogMath.logErfc(Math.nextDown(2.0));
        double at = LogMath.logErfc(2.0);
        assertEquals(at, below, 1e-13);
        assertEquals(LogMath.logErfc(Math.nextDown(-2.0)), LogMath.logErfc(-2.0), 1e-15);
    }

    @Test
    void logErfcOfInfinitiesAndNaN() {
        assertEquals(Double.NEGATIVE_INFINITY, LogMath.logErfc(Double.POSITIVE_INFINITY));
        assertEquals(Math.log(2), LogMath.logErfc(Double.NEGATIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> LogMath.logErfc(Double.NaN));
    }

    @Test
    void logAddAndLogSub() {
        assertEquals(Math.log(5), LogMath.logAdd(Math.log(2), Math.log(3)), 1e-15);
        assertEquals(1000 + Math.log(2), LogMath.logAdd(1000, 1000), 1e-12);
        assertEquals(7.0, LogMath.logAdd(Double.NEGATIVE_INFINITY, 7.0));
        assertEquals(Math.log(1), LogMath.logSub(Math.log(3), Math.log(2)), 1e-15);
        assertEquals(Double.NEGATIVE_INFINITY, LogMath.logSub(4.0, 4.0));
        assertEquals(4.0, LogMath.logSub(4.0, Double.NEGATIVE_INFINITY));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> LogMath.logSub(1.0, 2.0));
        assertEquals("log-space subtraction needs a >= b, got a=1.0, b=2.0", e.getMessage());
    }
}
