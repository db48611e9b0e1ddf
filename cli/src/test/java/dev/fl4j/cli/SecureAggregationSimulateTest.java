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

    private static SimulateCommandTest.Result simulate(String secure, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
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
                secure));
        args.addAll(List.of(more));
        return SimulateCommandTest.run(args.toArray(String[]::new));
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
    void flowerFractionsTrainExactlyAsThePlainSecureSum() {
        SimulateCommandTest.Result plain = simulate("plain");
        SimulateCommandTest.Result fractions = simulate("secagg+:0.5:0.75");
        assertEquals(0, fractions.code(), fractions.err());
        assertEquals(round2(plain).group(1), round2(fractions).group(1));
    }

    @Test
    void simulatedDropoutsAfterTheMaskedInputKeepTheSumAndEarlierOnesChangeIt() {
        SimulateCommandTest.Result plain = simulate("plain");
        SimulateCommandTest.Result late = simulate("secagg+:5", "--secagg-dropouts", "0.34@unmasking");
        SimulateCommandTest.Result early = simulate("secagg+:5", "--secagg-dropouts", "0.17@masked-input");
        assertEquals(0, late.code(), late.err());
        assertEquals(0, early.code(), early.err());
        assertEquals(
                round2(plain).group(1),
                round2(late).group(1),
                "clients that drop after sending their masked input are still in the sum");
        assertNotEquals(
                round2(plain).group(1),
                round2(early).group(1),
                "a client that drops before its masked input is left out of the sum, so the model differs");
    }

    @Test
    void badSpecsAreUsageErrors() {
        for (List<String> c : List.of(
                List.of("secagg", "must be plain, secagg+"),
                List.of("secagg+:4", "num_shares must be odd"),
                List.of("secagg+:5:2", "must be more than half of num_shares 5"),
                List.of("secagg+:5:6", "reconstruction_threshold 6 exceeds num_shares 5"),
                List.of("secagg+:x", "NUM_SHARES must be a whole number or a fraction, got 'x'"),
                List.of("secagg+:1.5", "num_shares as a fraction of the clients must be in (0, 1], got 1.5"),
                List.of("secagg+:0.5:0.5", "as a fraction of num_shares must be in (0.5, 1], got 0.5"),
                List.of("secagg+:0.5:6", "reconstruction_threshold 6 is a count but num_shares 0.5 a fraction"))) {
            SimulateCommandTest.Result r = simulate(c.get(0));
            assertEquals(2, r.code(), r.out() + r.err());
            assertTrue(r.err().contains(c.get(1)), r.err());
        }
        for (List<String> c : List.of(
                List.of("secagg+", "0.1", "FRACTION@STAGE[,FRACTION@STAGE...], e.g. 0.1@masked-input, got '0.1'"),
                List.of(
                        "secagg+",
                        "0.1@training",
                        "STAGE must be advertise-keys, share-keys, masked-input or unmasking"),
                List.of("secagg+", "2@masked-input", "FRACTION must be in [0, 1], got 2"),
                List.of("secagg+", "x@unmasking", "FRACTION must be a number in [0, 1], got 'x'"),
                List.of("secagg+", "0.1@unmasking,0.2@unmasking", "names stage unmasking twice"),
                List.of("plain", "0.1@unmasking", "it needs --secure-aggregation secagg+"))) {
            SimulateCommandTest.Result r = simulate(c.get(0), "--secagg-dropouts", c.get(1));
            assertEquals(2, r.code(), r.out() + r.err());
            assertTrue(r.err().contains(c.get(2)), r.err());
        }
    }
}
