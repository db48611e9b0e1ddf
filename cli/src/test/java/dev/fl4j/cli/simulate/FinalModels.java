package dev.fl4j.cli.simulate;

import dev.fl4j.core.io.ValueCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** For tests in other packages: the final global model of a simulation, as its bytes in fl4j's value format. */
public final class FinalModels {

    private FinalModels() {}

    /** Runs {@code settings} (its first run) and returns its final model's encoded bytes. */
    public static byte[] of(SimulationSettings settings) throws Exception {
        List<Simulation.RunSummary> runs = Simulation.run(settings, new PrintWriter(new StringWriter()), null);
        return ValueCodec.encode(runs.get(0).result().model().asStruct());
    }
}
