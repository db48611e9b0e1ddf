package dev.fl4j.aggregators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.compression.Encoders;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Every aggregator composition the command line's --aggregator builds consumes the clients' updates in the same
 * pass as the client work that makes them: each client's work runs once a round, and no part of an
 * aggregator asks for client results after the runtime has folded and dropped them.
 */
class SinglePassCompositionTest {

    private static final TensorType I32 = TensorType.scalar(DType.INT32);
    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType VEC = new TensorType(DType.FLOAT32, 40);

    /** The compositions the command line's --aggregator builds, by their spec, made with the typed API. */
    private static Map<String, AggregationFactory> compositions(int clientsPerRound) {
        Map<String, AggregationFactory> all = new LinkedHashMap<>();
        all.put("mean", new MeanFactory());
        all.put("robust", Aggregators.robustAggregator().build());
        all.put(
                "dp:0.1",
                Aggregators.dpAggregator()
                        .setNoiseMultiplier(0.1)
                        .setClientsPerRound(clientsPerRound)
                        .build());
        all.put("secure", Aggregators.secureAggregator().build());
        all.put("compression", Aggregators.compressionAggregator().build());
        all.put("median", RobustAggregationFactory.median());
        all.put("trimmed-mean:0.1", RobustAggregationFactory.trimmedMean(0.1));
        all.put("krum:1", RobustAggregationFactory.krum(1));
        all.put("multi-krum:1:2", RobustAggregationFactory.multiKrum(1, 2));
        all.put("dp-fixed:0.5:1.0", DifferentiallyPrivateFactory.gaussianFixed(0.5, clientsPerRound, 1.0));
        all.put("encoded:drive", new MeanFactory(EncodedSumFactory.of(Encoders.parse("drive")), new SumFactory()));
        all.put(
                "encoded:topk-uniform:0.25:4",
                new MeanFactory(EncodedSumFactory.of(Encoders.parse("topk-uniform:0.25:4")), new SumFactory()));
        all.put("non-finite+median", new NonFiniteZeroingFactory(RobustAggregationFactory.median()));
        all.put(
                "zeroing:l2:5+clip:1+mean",
                ZeroingFactory.fixed(5, Norm.L2, ClippingFactory.fixed(1, new MeanFactory())));
        all.put(
                "non-finite+zeroing+clip+mean",
                new NonFiniteZeroingFactory(ZeroingFactory.adaptive(
                        Aggregators.defaultZeroingNorm(),
                        Norm.LINF,
                        Aggregators.withDefaultClipping(new MeanFactory()))));
        all.put(
                "zeroing+dp-fixed:1.2:0.8",
                Aggregators.dpAggregator()
                        .setMechanism(DifferentiallyPrivateFactory.gaussianFixed(1.2, clientsPerRound, 0.8))
                        .build());
        return all;
    }

    @Test
    void eachCompositionRunsEachClientsWorkOnceARoundInOnePass() {
        int n = 12;
        List<Value> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Tensor.scalar(i));
        }
        FederatedValue clients = FederatedValue.clients(ids);
        for (Map.Entry<String, AggregationFactory> composition : compositions(n).entrySet()) {
            String spec = composition.getKey();
            AggregationFactory factory = composition.getValue();
            AggregationProcess p = factory.isWeighted()
                    ? ((WeightedAggregationFactory) factory).create(VEC, F32)
                    : ((UnweightedAggregationFactory) factory).create(VEC);
            AtomicInteger calls = new AtomicInteger();
            StructType update =
                    StructType.builder().add("update", VEC).add("weight", F32).build();
            LocalComputation train = LocalComputation.of("train", I32, update, v -> {
                calls.incrementAndGet();
                int i = (int) ((Tensor) v).longValue();
                float[] u = new float[40];
                for (int j = 0; j < u.length; j++) {
                    u[j] = (float) Math.sin(i * 41 + j) * (1 + i % 3);
                }
                return Struct.named("update", Tensor.of(u, u.length), "weight", Tensor.scalar(1f + i % 4));
            });
            StructType params = StructType.builder()
                    .add("state", p.stateType())
                    .add("data", FederatedType.clients(I32))
                    .build();
            FederatedComputation round = FederatedComputation.of(
                    "train_and_aggregate", params, p.nextComputation().type().result(), (ctx, arg) -> {
                        Struct a = (Struct) arg;
                        FederatedValue updates = ctx.federatedMap(train, (FederatedValue) a.get("data"));
                        FederatedValue value = ctx.federatedField(updates, "update");
                        return p.isWeighted()
                                ? ctx.invoke(
                                        p.nextComputation(),
                                        Struct.of(a.get("state"), value, ctx.federatedField(updates, "weight")))
                                : ctx.invoke(p.nextComputation(), Struct.of(a.get("state"), value));
                    });
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
                Value state = p.initialize(rt);
                for (int r = 0; r < 2; r++) {
                    MeasuredProcessOutput out = MeasuredProcessOutput.from(rt.invoke(round, state, clients));
                    assertTrue(
                            out.result() instanceof ServerValue s && s.isComputed(),
                            spec + ": result computed when the round returns");
                    state = out.state();
                }
            }
            assertEquals(2 * n, calls.get(), spec + ": client work runs once per client and round");
        }
    }
}
