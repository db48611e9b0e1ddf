package dev.fl4j.simulation.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.simulation.partition.Partitioner;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Client data fed to a real federated computation on the local runtime. */
class ClientDataFederatedTest {

    @Test
    void federatedSumOverLazilyLoadedClientDatasets() {
        Examples all = DatasetTest.numbered(300);
        ClientData partitioned =
                Partitioner.iid().partition(all.ints("y"), 30, 4).toClientData(all);
        Set<String> loaded = ConcurrentHashMap.newKeySet();
        ClientData tracked = ClientData.fromFunction(partitioned.clientIds(), partitioned.elementType(), id -> {
            loaded.add(id);
            return partitioned.datasetFor(id);
        });
        ClientData batched = tracked.preprocess(d -> d.shuffle(50, 1).batch(8));
        loaded.clear();

        TensorType f32 = TensorType.scalar(DType.FLOAT32);
        LocalComputation labelSum = LocalComputation.of("label_sum", batched.datasetType(), f32, seq -> {
            float s = 0;
            for (Value b : (SequenceValue) seq) {
                for (int y : ((Struct) b).tensor("y").intData()) {
                    s += y;
                }
            }
            return Tensor.scalar(s);
        });
        FederatedComputation total = FederatedComputation.of(
                "total_label_sum",
                FederatedType.clients(batched.datasetType()),
                FederatedType.server(f32),
                (ctx, data) -> ctx.federatedSum(ctx.federatedMap(labelSum, (FederatedValue) data)));

        List<String> round = List.of("client_3", "client_17", "client_29");
        ClientValues selection = batched.clientValues(round);
        float expected = 0;
        for (String id : round) {
            for (Value b : partitioned.datasetFor(id).batch(100)) {
                for (int y : ((Struct) b).tensor("y").intData()) {
                    expected += y;
                }
            }
        }
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            Value result = runtime.invoke(total, selection);
            assertEquals(expected, ((Tensor) ((ServerValue) result).value()).floatValue());
        }
        assertEquals(Set.copyOf(round), loaded, "only the selected clients were loaded");
    }
}
