package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactories;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.computation.SequenceMeanFactory;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A dispatcher that takes chains gets, per client, the whole described part of a pass as one
 * computation, rebuilds it from its descriptor's bytes as a remote client would, and sends back only
 * the results the rest of the round reads; the round is bitwise the local runtime's.
 */
class ShippedChainTest {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);

    /** Runs the chain through bytes and records the argument and result types it saw. */
    private static final class Remote implements ClientWorkDispatcher {
        final List<String> results = Collections.synchronizedList(new ArrayList<>());

        @Override
        public boolean dispatches(LocalComputation fn) {
            return fn instanceof ShippedChain;
        }

        @Override
        public boolean dispatchesChains() {
            return true;
        }

        @Override
        public Value dispatch(int clientIndex, String clientId, LocalComputation fn, Value argument) {
            ComputationDescriptor d = ComputationDescriptor.fromBytes(
                    fn.descriptor().orElseThrow().toBytes());
            LocalComputation rebuilt = ShippedChain.rebuild(
                    d,
                    Set.of(
                            SequenceMeanFactory.class.getName(),
                            dev.fl4j.core.computation.FieldSelection.Factory.class.getName()));
            Value arg = ValueCodec.decode(ValueCodec.encode(argument));
            Value result =
                    ValueCodec.decode(ValueCodec.encode(rebuilt.invoke(arg, new StatelessClientContext(clientId))));
            results.add(result.type().toString());
            return result;
        }
    }

    private static LocalComputation mean(String scale) {
        return ComputationFactories.resolve(SequenceMeanFactory.class.getName()).create(scale, null);
    }

    /**
     * Two described means over the data, zipped with a broadcast; described field selections of the
     * zip; a sum of one selection, and a lambda (not described) over the other mean.
     */
    private static final FederatedComputation ROUND = FederatedComputation.of(
            "round",
            StructType.of(FederatedType.clients(new SequenceType(F32)), FederatedType.server(F32)),
            FederatedType.server(StructType.of(F32, F32)),
            (ctx, arg) -> {
                Struct a = (Struct) arg;
                FederatedValue data = (FederatedValue) a.get(0);
                FederatedValue hidden = ctx.federatedMap(mean("3"), data);
                FederatedValue other = ctx.federatedMap(mean("2"), data);
                FederatedValue zipped = ctx.federatedZip(
                        Struct.named("m", hidden, "f", ctx.federatedBroadcast((FederatedValue) a.get(1)), "o", other));
                FederatedValue factor = ctx.federatedField(zipped, "f");
                LocalComputation square = LocalComputation.of(
                        "square", F32, F32, v -> Tensor.scalar(((Tensor) v).floatValue() * ((Tensor) v).floatValue()));
                FederatedValue squared = ctx.federatedMap(square, ctx.federatedField(zipped, "o"));
                return ctx.federatedZip(Struct.of(ctx.federatedSum(factor), ctx.federatedSum(squared)));
            });

    private static Struct argument(int clients) {
        List<String> ids = new ArrayList<>();
        List<Value> data = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ids.add("client" + i);
            data.add(ListSequence.ofFloats(i + 0.25f, (float) Math.sqrt(i)));
        }
        return Struct.of(ClientValues.of(ids, data), new ServerValue(Tensor.scalar(1.5f)));
    }

    @Test
    void aChainRunsTheDescribedWorkRemotelyAndReturnsOnlyWhatTheRoundReads() {
        Value local;
        CommunicationSnapshot localTraffic;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            local = rt.invoke(ROUND, argument(5));
            localTraffic = rt.communication().snapshot();
        }
        Remote remote = new Remote();
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(2)
                .optClientWorkDispatcher(remote)
                .build()) {
            assertEquals(local, rt.invoke(ROUND, argument(5)));
            assertEquals(localTraffic, rt.communication().snapshot());
        }
        assertEquals(5, remote.results.size());
        // the selection of "o" is read by the lambda, the selection of "f" by the sum; "m" and the means
        // themselves only feed the chain and stay on the client
        assertEquals(Collections.nCopies(5, "<float32,float32>"), remote.results);
    }

    @Test
    void aChainRebuildsOnlyFromItsAllowList() {
        Remote remote = new Remote();
        List<ComputationDescriptor> seen = Collections.synchronizedList(new ArrayList<>());
        ClientWorkDispatcher recording = new ClientWorkDispatcher() {
            @Override
            public boolean dispatches(LocalComputation fn) {
                return fn instanceof ShippedChain;
            }

            @Override
            public boolean dispatchesChains() {
                return true;
            }

            @Override
            public Value dispatch(int clientIndex, String clientId, LocalComputation fn, Value argument) {
                seen.add(fn.descriptor().orElseThrow());
                return remote.dispatch(clientIndex, clientId, fn, argument);
            }
        };
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(1)
                .optClientWorkDispatcher(recording)
                .build()) {
            rt.invoke(ROUND, argument(2));
        }
        MalformedDataException e = assertThrows(
                MalformedDataException.class,
                () -> ShippedChain.rebuild(seen.get(0), Set.of(SequenceMeanFactory.class.getName())));
        assertTrue(e.getMessage().contains("FieldSelection$Factory is not allowed here"), e.getMessage());
    }
}
