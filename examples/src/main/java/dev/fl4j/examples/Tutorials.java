package dev.fl4j.examples;

import java.util.List;
import java.util.Optional;

/**
 * The ported tutorials fl4j ships, each an {@link Example}, in the order {@code ./fl4j example --list} prints them.
 * (Training data tables are {@link dev.fl4j.simulation.data.Examples}, in TFF's sense of examples.)
 */
public final class Tutorials {

    private Tutorials() {}

    public static List<Example> all() {
        return List.of(
                new TemperatureExample(),
                new FederatedSoftmaxExample(),
                new ImageClassificationExample(),
                new CompressionExample(),
                new RecommendedAggregationsExample());
    }

    public static Optional<Example> byName(String name) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
