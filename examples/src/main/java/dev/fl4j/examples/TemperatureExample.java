package dev.fl4j.examples;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.LocalRuntime;
import java.io.PrintStream;
import java.util.List;

/**
 * The Federated Core's first example (the R post's "federated average of temperatures"): every
 * client holds a sequence of temperature readings; a local computation averages one client's
 * readings, and a federated computation maps it over the clients and takes the federated mean.
 */
public final class TemperatureExample implements Example {

    private static final TensorType FLOAT32 = TensorType.scalar(DType.FLOAT32);

    @Override
    public String name() {
        return "temperature";
    }

    @Override
    public String description() {
        return "Federated Core: the mean over clients of each client's average temperature (TFF's first FC example)";
    }

    /** {@code (float32* -> float32)}: the average of one client's readings. */
    public static LocalComputation localTemperatureAverage() {
        return LocalComputation.of("get_local_temperature_average", new SequenceType(FLOAT32), FLOAT32, readings -> {
            float sum = 0;
            int count = 0;
            for (Value r : (ListSequence) readings) {
                sum += ((Tensor) r).floatValue();
                count++;
            }
            if (count == 0) {
                throw new IllegalArgumentException("a client has no readings");
            }
            return Tensor.scalar(sum / count);
        });
    }

    /** {@code ({float32*}@CLIENTS -> float32@SERVER)}: the federated mean of the local averages. */
    public static FederatedComputation globalTemperatureAverage() {
        LocalComputation local = localTemperatureAverage();
        return FederatedComputation.of(
                "get_global_temperature_average",
                FederatedType.clients(new SequenceType(FLOAT32)),
                FederatedType.server(FLOAT32),
                (ctx, sensorReadings) -> ctx.federatedMean(ctx.federatedMap(local, (FederatedValue) sensorReadings)));
    }

    @Override
    public int run(PrintStream out, String... args) {
        FederatedComputation average = globalTemperatureAverage();
        out.println(average.type());
        try (LocalRuntime runtime = LocalRuntime.builder().build()) {
            Value result = runtime.invoke(
                    average,
                    FederatedValue.clients(List.of(ListSequence.ofFloats(1, 1, 1), ListSequence.ofFloats(13))));
            out.println(((Tensor) ((ServerValue) result).value()).floatValue());
            out.println("aggregated_bits="
                    + dev.fl4j.core.runtime.BitFormat.format(
                            runtime.communication().aggregatedBits()));
        }
        return 0;
    }
}
