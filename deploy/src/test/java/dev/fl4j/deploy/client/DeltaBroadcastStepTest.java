package dev.fl4j.deploy.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.TensorEncoder;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.TypeCodec;
import dev.fl4j.learning.templates.DeltaDistribution;
import dev.fl4j.learning.zoo.Models;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployed client's step of a delta broadcast, rebuilt from the bytes a task carries through the
 * client's allow-list and run against the client's own state files: a full model replaces the copy,
 * a change applies only to the copy of the version it was computed from, and anything else is
 * refused with an error that says what the client holds.
 */
class DeltaBroadcastStepTest {

    private static final Type MODEL = Models.softmaxRegression(4, 3).weightsType();
    private static final TensorEncoder DRIVE = Encoders.parse("drive@0").tensorEncoder();
    private static final TensorEncoder IDENTITY = Encoders.tensorEncoder("identity");

    private static LocalComputation rebuilt(String config) {
        byte[] wire = ComputationDescriptor.of(
                        DeltaDistribution.ClientStepFactory.class, config, TypeCodec.toValue(MODEL))
                .toBytes();
        ComputationDescriptor d = ComputationDescriptor.fromBytes(wire);
        assertTrue(FederatedClient.DEFAULT_ALLOWED_FACTORIES.contains(d.factory()), "a client runs it by default");
        return d.rebuild();
    }

    private static Value model(float scale) {
        List<float[]> leaves = new ArrayList<>();
        for (Tensor t : Structures.leaves(Structures.zeros(MODEL))) {
            float[] x = new float[t.floatData().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = scale * (i + 1);
            }
            leaves.add(x);
        }
        return Structures.packFloats(Structures.zeros(MODEL), leaves);
    }

    private static Struct sent(Value value, boolean full, long version) {
        List<Tensor> encoded = new ArrayList<>();
        for (Tensor t : Structures.leaves(value)) {
            encoded.add(full ? IDENTITY.encode(t, 7) : DRIVE.encode(t, 7));
        }
        Struct payload =
                Struct.named("full_model", Tensor.scalar(full ? 1 : 0), "model", Structures.pack(value, encoded));
        return Struct.named("payload", payload, "version", Tensor.scalar(version));
    }

    private static String messageOf(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    @Test
    void aChangeAppliesOnlyToTheCopyItWasComputedFrom(@TempDir Path dir) {
        LocalComputation apply = rebuilt("apply:drive@0/identity");
        LocalComputation stale = rebuilt("stale");
        TaskContext ctx = new TaskContext("client-a", new ClientStates(dir));

        ctx.begin(0, null);
        assertEquals(1, ((Tensor) stale.invoke(Tensor.scalar(0L), ctx)).longValue(), "no copy: stale");
        Exception noCopy = assertThrows(RuntimeException.class, () -> apply.invoke(sent(model(1f), false, 0), ctx));
        assertTrue(
                messageOf(noCopy).contains("was sent the change of model version 0 but holds no copy"),
                messageOf(noCopy));

        ctx.begin(0, null);
        Value full = apply.invoke(sent(model(1f), true, 0), ctx);
        assertArrayEquals(
                Structures.leaves(model(1f)).get(0).floatData(),
                Structures.leaves(full).get(0).floatData());
        ctx.commit(1);

        // a restarted client reads its copy from the directory
        TaskContext restarted = new TaskContext("client-a", new ClientStates(dir));
        restarted.begin(1, null);
        assertEquals(0, ((Tensor) stale.invoke(Tensor.scalar(1L), restarted)).longValue(), "copy of version 1");
        assertEquals(1, ((Tensor) stale.invoke(Tensor.scalar(2L), restarted)).longValue(), "not of version 2");
        Exception wrong =
                assertThrows(RuntimeException.class, () -> apply.invoke(sent(model(0.5f), false, 4), restarted));
        assertTrue(
                messageOf(wrong).contains("was sent the change of model version 4 but holds version 1"),
                messageOf(wrong));

        restarted.begin(1, null);
        Value next = apply.invoke(sent(model(0.5f), false, 1), restarted);
        Tensor kernel = Structures.leaves(full).get(0);
        Tensor change =
                DRIVE.decode(DRIVE.encode(Structures.leaves(model(0.5f)).get(0), 7), (TensorType) kernel.type());
        float[] expected = kernel.floatData().clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] += change.floatData()[i];
        }
        assertArrayEquals(expected, Structures.leaves(next).get(0).floatData(), "copy plus the decoded change");
    }

    @Test
    void aBadStepDescriptionIsRefusedAsMalformed() {
        for (String config : List.of("apply", "apply:drive@0", "apply:nosuch/identity", "apply:drive@0/nosuch", "x")) {
            MalformedDataException e = assertThrows(
                    MalformedDataException.class,
                    () -> new DeltaDistribution.ClientStepFactory().create(config, TypeCodec.toValue(MODEL)),
                    config);
            assertTrue(e.getMessage().contains("delta broadcast"), e.getMessage());
        }
        assertThrows(
                MalformedDataException.class, () -> new DeltaDistribution.ClientStepFactory().create("stale", null));
    }
}
