package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactories;
import dev.fl4j.core.computation.DoubleSumAggregationFactory;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.computation.SequenceMeanFactory;
import dev.fl4j.core.computation.ShippableAggregation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Folding where the clients run ({@link BlockFolds}, {@link ClientWorkShipper#runBlocks}): a loopback
 * shipper that folds each block from the plan's and the folds' bytes, hands back only the blocks'
 * partials (through their bytes), in block order, ends bitwise where the local runtime ends, with the
 * same traffic counted; a pass with glue that does not ship is run per client as before.
 */
class BlockFoldsTest {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);

    /** Folds every block through bytes, as executors would. */
    private static final class BlockLoopback implements ClientWorkShipper {
        int blockPasses;
        int clientPasses;

        @Override
        public boolean foldsBlocks() {
            return true;
        }

        @Override
        public void run(ShippedPass pass, OrderedFold.Sink<List<Value>> sink) throws Exception {
            clientPasses++;
            ShippedPass.Compiled compiled = ShippedPass.compile(
                    pass.plan(), pass.broadcasts().size(), pass.clientInputs().size());
            for (int i = 0; i < pass.clientIds().size(); i++) {
                sink.fold(
                        i,
                        compiled.runClient(
                                i,
                                pass.clientInputMembers(i),
                                pass.broadcasts(),
                                new Remote(i, pass.clientIds().get(i))));
            }
        }

        @Override
        public void runBlocks(ShippedPass pass, OrderedFold.Sink<Value> blocks) throws Exception {
            blockPasses++;
            int n = pass.clientIds().size();
            ShippedPass.Compiled compiled = ShippedPass.compile(
                    pass.plan(), pass.broadcasts().size(), pass.clientInputs().size());
            BlockFolds folds = BlockFolds.decode(
                    pass.blockFolds().orElseThrow(),
                    compiled.computations().size(),
                    pass.broadcasts().size(),
                    pass.clientInputs().size());
            for (int b = 0; b < BlockFolds.blocks(n); b++) {
                BlockFolds.Block block = folds.newBlock();
                for (int i = BlockFolds.firstClient(b, n); i < BlockFolds.firstClient(b + 1, n); i++) {
                    List<Value> inputs = pass.clientInputMembers(i);
                    List<Value> results = compiled.runClient(
                            i,
                            inputs,
                            pass.broadcasts(),
                            new Remote(i, pass.clientIds().get(i)));
                    block.add(i, pass.clientIds().get(i), folds.members(results, inputs, pass.broadcasts()));
                }
                blocks.fold(b, ValueCodec.decode(ValueCodec.encode(block.partial())));
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

    private static LocalComputation mean() {
        return ComputationFactories.resolve(SequenceMeanFactory.class.getName()).create("1", null);
    }

    /** The sequences' means (shipped), summed, averaged, and averaged weighted by a client input. */
    private static final FederatedComputation ALL_DESCRIBED = FederatedComputation.of(
            "all_described",
            StructType.of(FederatedType.clients(new SequenceType(F32)), FederatedType.clients(F32)),
            FederatedType.server(StructType.of(F32, F32, F32)),
            (ctx, arg) -> {
                Struct a = (Struct) arg;
                FederatedValue means = ctx.federatedMap(mean(), (FederatedValue) a.get(0));
                return ctx.federatedZip(Struct.of(
                        ctx.federatedSum(means), ctx.federatedMean(means), ctx.federatedMean(means, (FederatedValue)
                                a.get(1))));
            });

    /** The same sum after a glue lambda (no descriptor): its clients' results must reach the runtime. */
    private static final FederatedComputation WITH_GLUE = FederatedComputation.of(
            "with_glue",
            StructType.of(FederatedType.clients(new SequenceType(F32)), FederatedType.clients(F32)),
            FederatedType.server(F32),
            (ctx, arg) -> {
                Struct a = (Struct) arg;
                FederatedValue means = ctx.federatedMap(mean(), (FederatedValue) a.get(0));
                LocalComputation product = LocalComputation.of(
                        "product",
                        StructType.of(F32, F32),
                        F32,
                        v -> Tensor.scalar(((Tensor) ((Struct) v).get(0)).floatValue()
                                * ((Tensor) ((Struct) v).get(1)).floatValue()));
                return ctx.federatedSum(
                        ctx.federatedMap(product, ctx.federatedZip(Struct.of(means, (FederatedValue) a.get(1)))));
            });

    private static Struct argument(int clients, boolean reversed) {
        List<String> ids = new ArrayList<>();
        List<Value> data = new ArrayList<>();
        List<Value> weights = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            int i = reversed ? clients - 1 - k : k;
            ids.add("client" + i);
            float huge = 0x1p54f; // adding it to a double sum rounds the sum to a multiple of 4
            data.add(ListSequence.ofFloats(i % 3 == 0 ? huge : i % 3 == 1 ? -huge : i % 7 + 1f));
            weights.add(Tensor.scalar(0.5f + i % 3));
        }
        return Struct.of(ClientValues.of(ids, data), ClientValues.of(ids, weights));
    }

    private static Value local(FederatedComputation c, Value arg, List<CommunicationSnapshot> traffic) {
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(3).build()) {
            Value v = rt.invoke(c, arg);
            traffic.add(rt.communication().snapshot());
            return v;
        }
    }

    @Test
    void blocksFoldedWhereTheClientsRunEqualTheLocalFoldBitwise() {
        Struct arg = argument(2 * BlockFolds.BLOCK + 300, false);
        List<CommunicationSnapshot> traffic = new ArrayList<>();
        Value local = local(ALL_DESCRIBED, arg, traffic);
        assertNotEquals(
                local,
                local(ALL_DESCRIBED, argument(2 * BlockFolds.BLOCK + 300, true), new ArrayList<>()),
                "the fixture's sums depend on the order of additions (else this test proves nothing)");
        BlockLoopback loopback = new BlockLoopback();
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(1)
                .optClientWorkShipper(loopback)
                .build()) {
            assertEquals(local, rt.invoke(ALL_DESCRIBED, arg));
            assertEquals(traffic.get(0), rt.communication().snapshot(), "the same traffic is counted");
            assertEquals(1, loopback.blockPasses);
            assertEquals(0, loopback.clientPasses);

            Value glued = local(WITH_GLUE, arg, new ArrayList<>());
            assertEquals(glued, rt.invoke(WITH_GLUE, arg));
            assertEquals(1, loopback.blockPasses, "glue without a descriptor: the pass is not folded in blocks");
            assertEquals(1, loopback.clientPasses);
        }
    }

    @Test
    void aBlockPartialOfAnotherShapeIsRefused() {
        ClientFold sum = ClientFold.forBlock(ClientFold.SUM, null);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> sum.mergeBlock(Tensor.scalar(1f)));
        assertTrue(e.getMessage().contains("not a block partial"), e.getMessage());
        ClientFold one = ClientFold.forBlock(ClientFold.SUM, null);
        one.add(0, "a", new Value[] {Tensor.of(new float[] {1f, 2f}, 2)});
        ClientFold other = ClientFold.forBlock(ClientFold.SUM, null);
        other.add(0, "b", new Value[] {Tensor.of(new float[] {1f, 2f, 3f}, 3)});
        sum.mergeBlock(one.blockPartial());
        e = assertThrows(IllegalArgumentException.class, () -> sum.mergeBlock(other.blockPartial()));
        assertTrue(e.getMessage().contains("differ in type"), e.getMessage());
    }

    /** The sequences' means aggregated by a shippable aggregation (and summed), or by a plain one. */
    private static FederatedComputation aggregated(Aggregation<double[]> aggregation) {
        return FederatedComputation.of(
                "aggregated",
                StructType.of(FederatedType.clients(new SequenceType(F32)), FederatedType.clients(F32)),
                FederatedType.server(StructType.of(F32, F32)),
                (ctx, arg) -> {
                    FederatedValue means = ctx.federatedMap(mean(), (FederatedValue) ((Struct) arg).get(0));
                    return ctx.federatedZip(
                            Struct.of(ctx.federatedAggregate(means, aggregation), ctx.federatedSum(means)));
                });
    }

    /** {@link DoubleSumAggregationFactory}'s aggregation without its descriptor: it cannot ship. */
    private static Aggregation<double[]> plain(Aggregation<double[]> a) {
        return new Aggregation<>() {
            @Override
            public double[] zero() {
                return a.zero();
            }

            @Override
            public double[] accumulate(double[] acc, Value v) {
                return a.accumulate(acc, v);
            }

            @Override
            public double[] merge(double[] x, double[] y) {
                return a.merge(x, y);
            }

            @Override
            public Value report(double[] acc) {
                return a.report(acc);
            }

            @Override
            public dev.fl4j.core.Type reportType() {
                return a.reportType();
            }
        };
    }

    @Test
    void aShippableAggregateFoldsWhereTheClientsRunBitwiseAsLocally() {
        int n = 3 * BlockFolds.BLOCK + 17;
        Struct arg = argument(n, false);
        FederatedComputation shippable = aggregated(DoubleSumAggregationFactory.of(""));
        List<CommunicationSnapshot> traffic = new ArrayList<>();
        Value local = local(shippable, arg, traffic);
        assertNotEquals(
                local,
                local(shippable, argument(n, true), new ArrayList<>()),
                "the fixture's aggregate depends on the order of accumulation (else this test proves nothing)");
        BlockLoopback loopback = new BlockLoopback();
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(1)
                .optClientWorkShipper(loopback)
                .build()) {
            assertEquals(local, rt.invoke(shippable, arg));
            assertEquals(traffic.get(0), rt.communication().snapshot(), "the same traffic is counted");
            assertEquals(1, loopback.blockPasses, "the aggregate and the sum folded in blocks");
            assertEquals(0, loopback.clientPasses);

            FederatedComputation notShippable = aggregated(plain(DoubleSumAggregationFactory.of("")));
            assertEquals(local, rt.invoke(notShippable, arg));
            assertEquals(1, loopback.blockPasses, "an aggregation without a descriptor folds here, per client");
            assertEquals(1, loopback.clientPasses);
        }
    }

    @Test
    void anAccumulateRefusingAClientsValueWhereTheClientsRunNamesTheClientAsLocally() {
        Struct arg = argument(BlockFolds.BLOCK + 50, false);
        // the first client whose mean is 4 (i % 3 == 2, i % 7 == 3) is #17
        FederatedComputation refusing = aggregated(DoubleSumAggregationFactory.of("4"));
        dev.fl4j.core.computation.ClientWorkException local = assertThrows(
                dev.fl4j.core.computation.ClientWorkException.class, () -> local(refusing, arg, new ArrayList<>()));
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(1)
                .optClientWorkShipper(new BlockLoopback())
                .build()) {
            dev.fl4j.core.computation.ClientWorkException shipped =
                    assertThrows(dev.fl4j.core.computation.ClientWorkException.class, () -> rt.invoke(refusing, arg));
            assertEquals(17, local.clientIndex());
            assertEquals(local.clientIndex(), shipped.clientIndex());
            assertEquals(local.getMessage(), shipped.getMessage());
        }
    }

    @Test
    void anAggregationDescriptorNamingAnUnregisteredFactoryIsRefusedBeforeAnythingIsLoaded() {
        ShippableAggregation<double[]> real = DoubleSumAggregationFactory.of("");
        ShippableAggregation<double[]> elsewhere = new ShippableAggregation<>() {
            @Override
            public double[] zero() {
                return real.zero();
            }

            @Override
            public double[] accumulate(double[] acc, Value v) {
                return real.accumulate(acc, v);
            }

            @Override
            public double[] merge(double[] x, double[] y) {
                return real.merge(x, y);
            }

            @Override
            public Value report(double[] acc) {
                return real.report(acc);
            }

            @Override
            public ComputationDescriptor descriptor() {
                return new ComputationDescriptor("dev.fl4j.core.computation.NotRegisteredAnywhere", "", null);
            }

            @Override
            public Value encodeAccumulator(double[] acc) {
                return real.encodeAccumulator(acc);
            }

            @Override
            public double[] decodeAccumulator(Value v) {
                return real.decodeAccumulator(v);
            }
        };
        byte[] bytes = BlockFolds.encode(
                List.of(ClientFold.forBlock(ClientFold.AGGREGATE, elsewhere)),
                List.of(List.of(new ShippedPass.Ref.Node(0))));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> BlockFolds.decode(bytes, 1, 0, 0));
        assertTrue(
                e.getMessage().contains("'dev.fl4j.core.computation.NotRegisteredAnywhere' is not registered"),
                e.getMessage());
        assertTrue(e.getMessage().contains(DoubleSumAggregationFactory.class.getName()), e.getMessage());
    }

    @Test
    void aBlockAccumulatorOfAnotherShapeIsRefused() {
        ClientFold aggregate = ClientFold.forBlock(ClientFold.AGGREGATE, DoubleSumAggregationFactory.of(""));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> aggregate.mergeBlock(Struct.named(
                        "acc", Tensor.scalar(1f), "bits", Tensor.scalar(32L), "clients", Tensor.scalar(1))));
        assertTrue(e.getMessage().contains("accumulator must be float64"), e.getMessage());
    }
}
