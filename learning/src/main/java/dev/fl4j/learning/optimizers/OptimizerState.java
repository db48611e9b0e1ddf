package dev.fl4j.learning.optimizers;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.List;

/**
 * Optimizer state plumbing shared by the optimizers: weights and state slots as float32 arrays checked against each
 * other, the step counter, fresh slots, packing arrays back into values, and Adam's bias correction from the step.
 */
final class OptimizerState {

    private OptimizerState() {}

    /** Checks that weights and gradients have the same type and returns the weights' arrays. */
    static List<float[]> weights(String optimizer, Value weights, Value gradients) {
        if (!weights.type().equals(gradients.type())) {
            throw new IllegalArgumentException(
                    optimizer + ": gradients " + gradients.type() + " do not match weights " + weights.type());
        }
        return float32Arrays(weights, optimizer + " weights");
    }

    /** Slot {@code name} of the state, checked against the weights' type. */
    static List<float[]> slot(String optimizer, Struct state, String name, Value weights) {
        if (!state.has(name)) {
            throw new IllegalArgumentException(optimizer + ": state " + state.type() + " has no '" + name + "'");
        }
        Value slot = state.get(name);
        if (!slot.type().equals(weights.type())) {
            throw new IllegalArgumentException(optimizer + ": state slot '" + name + "' " + slot.type()
                    + " does not match weights " + weights.type());
        }
        return float32Arrays(slot, optimizer + " state " + name);
    }

    static long step(String optimizer, Struct state) {
        if (!state.has("step")) {
            throw new IllegalArgumentException(optimizer + ": state " + state.type() + " has no 'step'");
        }
        return state.tensor("step").longValue();
    }

    /**
     * A state slot for weights of {@code type}: {@code type} filled with {@code v}, refused unless every leaf is
     * float32.
     */
    static Value filled(Type type, float v) {
        Value slot;
        try {
            slot = Structures.filled(type, v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "optimizers work on fully defined float32 tensors: " + e.getMessage(), e);
        }
        float32Arrays(slot, "optimizer state for weights " + type);
        return slot;
    }

    private static List<float[]> float32Arrays(Value value, String what) {
        try {
            return Structures.floatArrays(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    what + ": " + e.getMessage() + "; optimizers work on float32 tensors", e);
        }
    }

    /**
     * The gradients an optimizer with L2 weight decay {@code wd} applies: {@code g + wd·w}, in new arrays;
     * {@code g} itself when {@code wd} is 0.
     */
    static List<float[]> decayed(List<float[]> g, List<float[]> w, float wd) {
        if (wd == 0f) {
            return g;
        }
        List<float[]> out = new java.util.ArrayList<>(g.size());
        for (int l = 0; l < g.size(); l++) {
            float[] gl = g.get(l), wl = w.get(l), ol = new float[gl.length];
            for (int i = 0; i < gl.length; i++) {
                ol[i] = gl[i] + wd * wl[i];
            }
            out.add(ol);
        }
        return out;
    }

    static float[][] newArrays(List<float[]> like) {
        float[][] out = new float[like.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[like.get(i).length];
        }
        return out;
    }

    static Value pack(Value template, float[][] arrays) {
        return Structures.packFloats(template, List.of(arrays));
    }

    /** {@code sqrt(1 - beta2^t) / (1 - beta1^t)}, Adam's bias correction, in float32. */
    static float biasCorrection(float beta1, float beta2, long t) {
        float b1 = (float) Math.pow(beta1, t);
        float b2 = (float) Math.pow(beta2, t);
        return (float) Math.sqrt(1f - b2) / (1f - b1);
    }
}
