package dev.fl4j.cli;

import dev.fl4j.privacy.PrivacyLoss;
import dev.fl4j.privacy.RdpAccountant;
import dev.fl4j.privacy.RdpConversion;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fl4j privacy}: privacy accounting for the sampled Gaussian mechanism. */
@Command(
        name = "privacy",
        mixinStandardHelpOptions = true,
        description = "Differential privacy accounting.",
        subcommands = {PrivacyCommand.Epsilon.class})
final class PrivacyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code fl4j privacy epsilon}: ε of T steps of the sampled Gaussian mechanism, as tensorflow_privacy's calculators
     * print it.
     */
    @Command(
            name = "epsilon",
            mixinStandardHelpOptions = true,
            description = {
                "Prints the (epsilon, delta) guarantee of STEPS steps of the sampled Gaussian mechanism",
                "(noise multiplier Z, sampling rate Q), by Renyi DP accounting (Mironov et al. 2019)."
            })
    static final class Epsilon implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(
                names = "--noise-multiplier",
                required = true,
                paramLabel = "Z",
                description = "Noise stddev / L2 clip (z > 0).")
        double noiseMultiplier;

        @Option(
                names = "--sampling-rate",
                required = true,
                paramLabel = "Q",
                description = "Probability a record (client) takes part in a step, in [0, 1].")
        double samplingRate;

        @Option(names = "--steps", required = true, paramLabel = "T", description = "Number of steps (rounds).")
        long steps;

        @Option(
                names = "--delta",
                defaultValue = "1e-5",
                paramLabel = "D",
                description = "Target delta (default: ${DEFAULT-VALUE}).")
        double delta;

        @Option(
                names = "--conversion",
                defaultValue = "IMPROVED",
                paramLabel = "C",
                description =
                        "RDP to (epsilon, delta) conversion: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        RdpConversion conversion;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrivacyLoss loss = RdpAccountant.create()
                    .compose(noiseMultiplier, samplingRate, steps)
                    .epsilon(delta, conversion);
            out.printf(
                    Locale.ROOT,
                    "epsilon=%.6f delta=%g order=%s (noise_multiplier=%s, sampling_rate=%s, steps=%d, conversion=%s)%n",
                    loss.epsilon(),
                    loss.delta(),
                    formatOrder(loss.order()),
                    noiseMultiplier,
                    samplingRate,
                    steps,
                    conversion);
            out.flush();
            return 0;
        }

        private static String formatOrder(double order) {
            return Double.isNaN(order)
                    ? "none"
                    : (order == Math.rint(order) ? String.valueOf((long) order) : String.valueOf(order));
        }
    }
}
