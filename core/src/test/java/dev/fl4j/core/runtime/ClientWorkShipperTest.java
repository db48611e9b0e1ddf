package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Placement;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationFactories;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.computation.SequenceMeanFactory;
import dev.fl4j.core.io.ValueCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The shipper seam of {@link LocalRuntime}: a loopback shipper that does what a remote one does
 * (plan and values through their bytes, computations rebuilt from descriptors) gives bitwise the
 * results of the local runtime, and ships only what has a descriptor.
 */
class ClientWorkShipperTest {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);

    /** Runs each client through the plan's bytes, as another JVM would, and records what it shipped. */
    private static final class Loopback implements ClientWorkShipper {
        final List<Integer> nodeCounts = new ArrayList<>();

        @Override
        public void run(ShippedPass pass, OrderedFold.Sink<List<Value>> sink) throws Exception {
            nodeCounts.add(pass.nodeCount());
            List<Value> broadcasts = new ArrayList<>();
            for (Value b : pass.broadcasts()) {
                broadcasts.add(ValueCodec.decode(ValueCodec.encode(b)));
            }
            ShippedPass.Compiled compiled = ShippedPass.compile(
                    pass.plan(), broadcasts.size(), pass.clientInputs().size());
            for (int i = 0; i < pass.clientIds().size(); i++) {
                List<Value> inputs = new ArrayList<>();
                for (Value v : pass.clientInputMembers(i)) {
                    inputs.add(ValueCodec.decode(ValueCodec.encode(v)));
                }
                List<Value> results = compiled.runClient(
                        i, inputs, broadcasts, new Remote(i, pass.clientIds().get(i)));
                sink.fold(i, ((Struct) ValueCodec.decode(ValueCodec.encode(Struct.of(results)))).values());
            }
        }
    }

    private record Remote(int clientIndex, String clientId) implements ClientContext {
        @Override
        public Placement placement() {
            return Placement.CLIENTS;
        }

        @Override
        public int workerIndex() {
            return 0;
        }

        @Override
        public <T> T workerResource(Object key, Supplier<T> factory) {
            return factory.get();
        }

        @Override
        public Optional<Value> clientState(String key) {
            throw new IllegalStateException("no state here");
        }

        @Override
        public void setClientState(String key, Value state) {
            throw new IllegalStateException("no state here");
        }
    }

    private static LocalComputation mean(String scale) {
        return ComputationFactories.resolve(SequenceMeanFactory.class.getName()).create(scale, null);
    }

    /** mean (shipped) → zip with a broadcast → glue lambda (not shipped) → sum and mean. */
    private static FederatedComputation round(String scale) {
        LocalComputation glue = LocalComputation.of(
                "glue",
                StructType.of(F32, F32),
                F32,
                v -> Tensor.scalar(
                        ((Tensor) ((Struct) v).get(0)).floatValue() * ((Tensor) ((Struct) v).get(1)).floatValue()));
        return FederatedComputation.of(
                "round",
                StructType.of(FederatedType.clients(new SequenceType(F32)), FederatedType.server(F32)),
                FederatedType.server(StructType.of(F32, F32)),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue means = ctx.federatedMap(mean(scale), (FederatedValue) a.get(0));
                    FederatedValue factor = ctx.federatedBroadcast((FederatedValue) a.get(1));
                    FederatedValue glued = ctx.federatedMap(glue, ctx.federatedZip(Struct.of(means, factor)));
                    return ctx.federatedZip(Struct.of(ctx.federatedSum(glued), ctx.federatedMean(means)));
                });
    }

    private static Struct argument(int clients) {
        List<String> ids = new ArrayList<>();
        List<Value> data = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ids.add("client" + i);
            data.add(ListSequence.ofFloats(1e20f * (i % 2 == 0 ? 1 : -1), i + 0.25f, (float) Math.sqrt(i)));
        }
        return Struct.of(ClientValues.of(ids, data), new dev.fl4j.core.ServerValue(Tensor.scalar(1.5f)));
    }

    @Test
    void shippedRunEqualsTheLocalRunBitwiseAndShipsOnlyWhatHasADescriptor() {
        Value local;
        CommunicationSnapshot localTraffic;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(3).build()) {
            local = rt.invoke(round("3"), argument(11));
            localTraffic = rt.communication().snapshot();
        }
        Loopback loopback = new Loopback();
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(1)
                .optClientWorkShipper(loopback)
                .build()) {
            assertEquals(local, rt.invoke(round("3"), argument(11)));
            assertEquals(localTraffic, rt.communication().snapshot());
        }
        assertEquals(List.of(1), loopback.nodeCounts, "one pass, shipping the mean and not the glue lambda");
    }
}
