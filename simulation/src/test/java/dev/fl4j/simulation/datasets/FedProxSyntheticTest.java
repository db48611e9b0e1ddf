package dev.fl4j.simulation.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.simulation.data.Examples;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FedProxSyntheticTest {

    @Test
    void clientsAreSeededAndIndependentOfGenerationOrder() {
        FedProxSynthetic a = FedProxSynthetic.builder(1, 1, 30, 7).build();
        FedProxSynthetic b = FedProxSynthetic.builder(1, 1, 30, 7).build();
        Examples late = a.examplesFor("synthetic_29");
        a.examplesFor("synthetic_3");
        Examples again = b.examplesFor("synthetic_29");
        assertArrayEquals(late.floats("x"), again.floats("x"));
        assertArrayEquals(late.ints("y"), again.ints("y"));
        assertFalse(Arrays.equals(
                late.floats("x"),
                FedProxSynthetic.builder(1, 1, 30, 8)
                        .build()
                        .examplesFor("synthetic_29")
                        .floats("x")));
        assertEquals("<x=float32[60],y=int32>", a.elementType().toString());
        assertEquals(a.examplesOf(29), late.size());
        for (int k = 0; k < 30; k++) {
            assertTrue(a.examplesOf(k) >= 50, "at least 50 examples per client");
        }
    }

    @Test
    void alphaAndBetaControlHeterogeneity() {
        // β = 0: every client's feature means come from N(0, 1); large β spreads them apart.
        double spreadLow = meanSpread(
                FedProxSynthetic.builder(0, 0, 20, 1).optExamplesPerClient(200).build());
        double spreadHigh = meanSpread(
                FedProxSynthetic.builder(0, 5, 20, 1).optExamplesPerClient(200).build());
        assertTrue(spreadHigh > 3 * spreadLow, spreadLow + " vs " + spreadHigh);

        // The label comes from a linear model: with α = β = 0 many classes still appear on a client.
        Examples e = FedProxSynthetic.builder(0, 0, 1, 3)
                .optExamplesPerClient(500)
                .build()
                .examplesFor("synthetic_0");
        assertTrue(Arrays.stream(e.ints("y")).distinct().count() >= 3);
        assertTrue(Arrays.stream(e.ints("y")).allMatch(y -> y >= 0 && y < 10));

        // Feature j has variance j^-1.2 around the client's mean: check the first and last dims.
        Examples big = FedProxSynthetic.builder(0, 0, 1, 5)
                .optExamplesPerClient(20_000)
                .build()
                .examplesFor("synthetic_0");
        assertEquals(1.0, variance(big, 0), 0.05);
        assertEquals(Math.pow(60, -1.2), variance(big, 59), 0.05 * Math.pow(60, -1.2) + 1e-4);
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThrows(
                IllegalArgumentException.class,
                () -> FedProxSynthetic.builder(-1, 0, 3, 1).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> FedProxSynthetic.builder(0, Double.NaN, 3, 1).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> FedProxSynthetic.builder(0, 0, 0, 1).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> FedProxSynthetic.builder(1, 1, 2, 1).build().datasetFor("synthetic_2"));
    }

    /** Standard deviation over clients of each client's mean of feature 0. */
    private static double meanSpread(FedProxSynthetic s) {
        double[] means = new double[s.clientIds().size()];
        for (int k = 0; k < means.length; k++) {
            Examples e = s.examplesFor(s.clientIds().get(k));
            float[] x = e.floats("x");
            for (int i = 0; i < e.size(); i++) {
                means[k] += x[i * 60];
            }
            means[k] /= e.size();
        }
        double m = Arrays.stream(means).average().orElseThrow();
        return Math.sqrt(
                Arrays.stream(means).map(v -> (v - m) * (v - m)).average().orElseThrow());
    }

    private static double variance(Examples e, int j) {
        float[] x = e.floats("x");
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < e.size(); i++) {
            s += x[i * 60 + j];
            s2 += x[i * 60 + j] * (double) x[i * 60 + j];
        }
        double m = s / e.size();
        return s2 / e.size() - m * m;
    }
}
