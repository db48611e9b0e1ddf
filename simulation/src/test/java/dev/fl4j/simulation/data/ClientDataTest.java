package dev.fl4j.simulation.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ClientDataTest {

    private static final int EXAMPLES_PER_CLIENT = 600;

    /** Each client's data is 600 images of 28×28×1 floats (1.9 MB); pixel values = client number. */
    private static Examples clientExamples(String id) {
        int c = Integer.parseInt(id.substring(2));
        float[] x = new float[EXAMPLES_PER_CLIENT * 784];
        java.util.Arrays.fill(x, c);
        int[] y = new int[EXAMPLES_PER_CLIENT];
        java.util.Arrays.fill(y, c % 10);
        return Examples.of(x, new int[] {28, 28, 1}, y);
    }

    @Test
    void hundredThousandClientsCostMemoryOnlyForClientsTouched() {
        // Held eagerly this population would take 100,000 × 1.9 MB = 190 GB: the test JVM could not hold it.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add("c_" + i);
        }
        Set<String> loaded = ConcurrentHashMap.newKeySet();
        Examples proto = clientExamples("c_0");
        ClientData data = ClientData.fromFunction(ids, proto.exampleType(), id -> {
            loaded.add(id);
            return clientExamples(id).asDataset();
        });
        ClientData batched = data.preprocess(d -> d.shuffle(100, 7).batch(20));
        assertEquals("<x=float32[?,28,28,1],y=int32[?]>", batched.elementType().toString());

        ClientValues round = batched.clientValues(List.of("c_17", "c_99999", "c_500"));
        assertEquals(
                "{<x=float32[?,28,28,1],y=int32[?]>*}@CLIENTS", round.type().toString());
        assertTrue(round.isLazy());
        Set<String> beforeReading = new HashSet<>(loaded);
        for (int i = 0; i < round.count(); i++) {
            SequenceValue s = (SequenceValue) round.member(i);
            int batches = 0;
            for (Value b : s) {
                Struct st = (Struct) b;
                float expected = Integer.parseInt(round.clientId(i).substring(2));
                assertEquals(expected, st.tensor("x").floatData()[0]);
                batches++;
            }
            assertEquals(30, batches);
        }
        Set<String> read = new HashSet<>(loaded);
        read.removeAll(beforeReading);
        assertEquals(Set.of("c_17", "c_99999", "c_500"), read);
        assertEquals(3, loaded.size(), "only the three clients read were loaded: " + loaded);
    }

    @Test
    void fromMapSubsetAndUnknownClient() {
        Map<String, Examples> m = new LinkedHashMap<>();
        m.put("b", DatasetTest.numbered(3));
        m.put("a", DatasetTest.numbered(5));
        ClientData cd = ClientData.fromExamples(m);
        assertEquals(List.of("b", "a"), cd.clientIds());
        assertEquals(5, cd.datasetFor("a").count());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cd.datasetFor("zz"));
        assertTrue(e.getMessage().contains("no client 'zz' among 2 clients"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cd.clientValues(List.of("a", "q")));
        assertEquals(List.of("a"), cd.subset(List.of("a")).clientIds());
        assertEquals(8, cd.datasetFromAllClients().count());
    }

    @Test
    void fromFunctionChecksTheLoadedType() {
        Examples ex = DatasetTest.numbered(4);
        ClientData cd = ClientData.fromFunction(List.of("x1"), ex.batchType(), id -> ex.asDataset());
        TypeMismatchException e = assertThrows(TypeMismatchException.class, () -> cd.datasetFor("x1"));
        assertTrue(e.getMessage().contains("client 'x1'"), e.getMessage());
    }

    @Test
    void trainTestSplitIsDisjointSeededAndComplete() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add("u" + i);
        }
        Examples ex = DatasetTest.numbered(2);
        ClientData cd = ClientData.fromFunction(ids, ex.exampleType(), id -> ex.asDataset());
        ClientData.Split s = cd.trainTestClientSplit(10, 3);
        assertEquals(40, s.train().clientIds().size());
        assertEquals(10, s.test().clientIds().size());
        Set<String> union = new HashSet<>(s.train().clientIds());
        union.addAll(s.test().clientIds());
        assertEquals(new HashSet<>(ids), union);
        assertEquals(s.test().clientIds(), cd.trainTestClientSplit(10, 3).test().clientIds());
        assertFalse(s.test()
                .clientIds()
                .equals(cd.trainTestClientSplit(10, 4).test().clientIds()));
        assertThrows(IllegalArgumentException.class, () -> cd.trainTestClientSplit(50, 1));
    }
}
