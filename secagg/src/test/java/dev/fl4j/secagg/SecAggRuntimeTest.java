package dev.fl4j.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.SecureSumFactory;
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
import dev.fl4j.core.runtime.Direction;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.TrafficRecord;
import dev.fl4j.core.templates.AggregationProcess;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code federated_secure_sum_bitwidth} on the local runtime with SecAgg+ run in-process: the same
 * aggregates as the plain modular sum, bitwise, for any worker count; with dropouts, the sum of the
 * inputs counted.
 */
class SecAggRuntimeTest {

    private static final StructType MEMBER = StructType.builder()
            .add("a", new TensorType(DType.INT32, 300))
            .add("b", new TensorType(DType.INT64, 2, 3))
            .build();
    private static final int BITS = 21;

    /** Random client values within [0, 2^21). */
    private static List<Value> clientValues(int clients) {
        SecureRandom r = new SecureRandom();
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int[] a = new int[300];
            long[] b = new long[6];
            for (int j = 0; j < a.length; j++) {
                a[j] = r.nextInt(1 << BITS);
            }
            for (int j = 0; j < b.length; j++) {
                b[j] = r.nextInt(1 << BITS);
            }
            out.add(Struct.builder()
                    .add("a", Tensor.of(a, 300))
                    .add("b", Tensor.of(b, 2, 3))
                    .build());
        }
        return out;
    }

    /** Secure sum of the clients' values after a client-side map (the deferred, folded path). */
    private static final FederatedComputation SECURE_SUM = FederatedComputation.of(
            "secure_sum_after_map",
            FederatedType.clients(MEMBER),
            FederatedType.server(MEMBER),
            (ctx, v) -> ctx.federatedSecureSumBitwidth(
                    ctx.federatedMap(LocalComputation.of("identity", MEMBER, MEMBER, x -> x), v), BITS));

    private static Value run(LocalRuntime.Builder b, List<Value> values) {
        try (LocalRuntime rt = b.build()) {
            return ((ServerValue) rt.invoke(SECURE_SUM, FederatedValue.clients(values))).value();
        }
    }

    @Test
    void secAggPlusGivesThePlainModularSumBitwiseForAnyWorkerCount() {
        List<Value> values = clientValues(23);
        Value plain = run(LocalRuntime.builder().optWorkers(2), values);
        SecAggPlus protocol = SecAggPlus.builder().setNumShares(7).build();
        for (int workers : new int[] {1, 3}) {
            assertEquals(plain, run(LocalRuntime.builder().optWorkers(workers).optSecureSum(protocol), values));
        }
        // over a value already at hand (no client work), too
        try (LocalRuntime rt = LocalRuntime.builder().optSecureSum(protocol).build()) {
            FederatedComputation direct = FederatedComputation.of(
                    "secure_sum",
                    FederatedType.clients(MEMBER),
                    FederatedType.server(MEMBER),
                    (ctx, v) -> ctx.federatedSecureSumBitwidth(v, BITS));
            assertEquals(plain, ((ServerValue) rt.invoke(direct, FederatedValue.clients(values))).value());
            List<TrafficRecord> records = rt.communication().records();
            long up = records.stream()
                    .filter(t -> t.direction() == Direction.AGGREGATION)
                    .mapToLong(TrafficRecord::bits)
                    .sum();
            long down = records.stream()
                    .filter(t -> t.direction() == Direction.BROADCAST)
                    .mapToLong(TrafficRecord::bits)
                    .sum();
            assertTrue(up > 23L * 306 * BITS, "the protocol's messages, more than the bare inputs: " + up);
            assertTrue(down > 0, "the server's messages to the clients are counted");
        }
    }

    @Test
    void secureSumFactoryGivesTheSameAggregatesUnderSecAggPlus() {
        TensorType f32 = new TensorType(DType.FLOAT32, 50);
        List<Value> values = new ArrayList<>();
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < 12; i++) {
            float[] v = new float[50];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) r.nextGaussian();
            }
            values.add(Tensor.of(v, 50));
        }
        AggregationProcess p = SecureSumFactory.bounds(-2, 2).create(f32);
        Value plain;
        try (LocalRuntime rt = LocalRuntime.builder().build()) {
            plain = p.next(rt, p.initialize(rt), FederatedValue.clients(values)).result();
        }
        try (LocalRuntime rt = LocalRuntime.builder()
                .optSecureSum(SecAggPlus.builder().setNumShares(5).build())
                .build()) {
            assertEquals(
                    plain,
                    p.next(rt, p.initialize(rt), FederatedValue.clients(values)).result());
        }
    }

    @Test
    void withDropoutsTheSumHoldsTheCountedClientsOnly() {
        List<Value> values = clientValues(20);
        for (SecAggPlusServer.Stage stage : List.of(
                SecAggPlusServer.Stage.ADVERTISE_KEYS,
                SecAggPlusServer.Stage.SHARE_KEYS,
                SecAggPlusServer.Stage.MASKED_INPUT,
                SecAggPlusServer.Stage.UNMASKING)) {
            DropoutPlan plan = DropoutPlan.fraction(0.2, stage, 7);
            List<Value> counted = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                if (stage == SecAggPlusServer.Stage.UNMASKING || !plan.drops(stage, i, values.size())) {
                    counted.add(values.get(i));
                }
            }
            assertEquals(stage == SecAggPlusServer.Stage.UNMASKING ? 20 : 16, counted.size());
            Value expected = run(LocalRuntime.builder(), counted);
            Value got = run(
                    LocalRuntime.builder()
                            .optSecureSum(SecAggPlus.builder()
                                    .setNumShares(9)
                                    .optDropouts(plan)
                                    .build()),
                    values);
            assertEquals(expected, got, "dropouts at " + stage);
            if (stage != SecAggPlusServer.Stage.UNMASKING) {
                assertNotEquals(run(LocalRuntime.builder(), values), got);
            }
        }
    }

    @Test
    void tooManyDropoutsAbortTheRoundWithAClearError() {
        List<Value> values = clientValues(10);
        DropoutPlan most = DropoutPlan.fraction(0.8, SecAggPlusServer.Stage.MASKED_INPUT, 1);
        LocalRuntime.Builder b = LocalRuntime.builder()
                .optSecureSum(
                        SecAggPlus.builder().setNumShares(5).optDropouts(most).build());
        SecAggException e = assertThrows(SecAggException.class, () -> run(b, values));
        assertEquals(SecAggException.Kind.BELOW_THRESHOLD, e.kind());
        assertTrue(e.getMessage().contains("the round is aborted"), e.getMessage());
        IllegalArgumentException tooFew = assertThrows(
                IllegalArgumentException.class,
                () -> run(
                        LocalRuntime.builder()
                                .optSecureSum(SecAggPlus.builder()
                                        .setNumShares(11)
                                        .optReconstructionThreshold(6)
                                        .build()),
                        values.subList(0, 4)));
        assertTrue(tooFew.getMessage().contains("num_shares 11 capped at the 4 clients"), tooFew.getMessage());
    }
}
