package dev.fl4j.examples;

import java.util.List;
import java.util.Optional;

/** The examples fl4j ships, in the order {@code ./fl4j example --list} prints them. */
public final class Examples {

    private Examples() {
    }

    public static List<Example> all() {
        return List.of(new TemperatureExample(), new FederatedSoftmaxExample(), new ImageClassificationExample(), new CompressionExample(), new RecommendedAggregationsExample());
    }

    public static Optional<Example> byName(String name) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
