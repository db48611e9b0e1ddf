package dev.fl4j.cli;

import dev.fl4j.bench.CompressionBenchmark;
import dev.fl4j.bench.TrainingBenchmark;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code fl4j bench}: the end-to-end benchmarks of the bench module; options pass through to them. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (measurements, not tests).",
        subcommands = {BenchCommand.Training.class, BenchCommand.Compression.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "training", mixinStandardHelpOptions = true,
            description = {"Raw engine throughput, FedAvg round throughput on all workers, and efficiency = fedavg / (raw x workers);",
                "then examples/s and peak live heap of rounds of 10, 100 and 1,000 clients (--heap-clients LIST|none, --heap-examples N).",
                "Options: --model --batch --clients --examples-per-client --rounds --workers --raw-steps --client-lr --seed --heap-clients",
                "--heap-examples"})
    static final class Training implements Runnable {
        @Unmatched
        List<String> options = new ArrayList<>();

        @Override
        public void run() {
            TrainingBenchmark.run(System.out, TrainingBenchmark.Options.parse(options.toArray(String[]::new)));
        }
    }

    @Command(name = "compression", mixinStandardHelpOptions = true,
            description = {"FedAvg on Fashion-MNIST uncompressed and with each encoder: bits, accuracy, encode/decode cost.",
                "Options: --rounds --clients --clients-per-round --partition --batch --client-lr --server-lr --encoders --broadcast",
                "--workers --model --train-examples --test-examples --seed"})
    static final class Compression implements Runnable {
        @Unmatched
        List<String> options = new ArrayList<>();

        @Override
        public void run() {
            CompressionBenchmark.run(System.out, CompressionBenchmark.Options.parse(options.toArray(String[]::new)));
        }
    }
}
