package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code fl4j simulate --aggregator secure --secure-aggregation secagg+}: the same training as with the
 * plain modular sum (the protocol's sums are exact), with the protocol's bytes in the aggregated bits.
 */
class SecureAggregationSimulateTest {

    private static final Pattern ROUND =
            Pattern.compile("round  2, (loss=\\S+, accuracy=\\S+), broadcasted_bits=(\\S+), aggregated_bits=(\\S+),.*");

    private static Matcher round2(SimulateCommandTest.Result r) {
        for (String l : r.lines()) {
            Matcher m = ROUND.matcher(l);
            if (m.matches()) {
                return m;
            }
        }
        throw new AssertionError("no round 2 line in\n" + r.out() + r.err());
    }

    private static SimulateCommandTest.Result simulate(String secure) {
        return SimulateCommandTest.run(
                "--dataset",
                "synthetic",
                "--clients",
                "12",
                "--clients-per-round",
                "6",
                "--model",
                "softmax",
                "--examples-per-client",
                "20",
                "--batch",
                "5",
                "--client-lr",
                "0.05",
                "--rounds",
                "2",
                "--aggregator",
                "secure",
                "--eval-every",
                "100",
                "--secure-aggregation",
                secure);
    }

    @Test
    void secAggPlusTrainsExactlyAsThePlainSecureSum() {
        SimulateCommandTest.Result plain = simulate("plain");
        SimulateCommandTest.Result secagg = simulate("secagg+:5");
        assertEquals(0, plain.code(), plain.err());
        assertEquals(0, secagg.code(), secagg.err());
        Matcher p = round2(plain);
        Matcher s = round2(secagg);
        assertEquals(p.group(1), s.group(1), "same loss and accuracy: the aggregates are bitwise the same");
        assertNotEquals(p.group(3), s.group(3), "the protocol's messages are what the clients send");
    }

    @Test
    void badSpecsAreUsageErrors() {
        for (List<String> c : List.of(
                List.of("secagg", "must be plain, secagg+"),
                List.of("secagg+:4", "num_shares must be odd"),
                List.of("secagg+:5:2", "must be more than half of num_shares 5"),
                List.of("secagg+:5:6", "reconstruction_threshold 6 exceeds num_shares 5"),
                List.of("secagg+:x", "NUM_SHARES must be a whole number, got 'x'"))) {
            SimulateCommandTest.Result r = simulate(c.get(0));
            assertEquals(2, r.code(), r.out() + r.err());
            assertTrue(r.err().contains(c.get(1)), r.err());
        }
    }
}
