package dev.fl4j.learning.optimizers;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.List;

/**
 * Stochastic gradient descent with optional momentum, TFF's {@code build_sgdm} plus Keras's Nesterov
 * variant. Without momentum {@code w ← w − lr·g} and the state is empty. With momentum
 * {@code m ← momentum·m + g}, then {@code w ← w − lr·m}, or with Nesterov
 * {@code w ← w − lr·(g + momentum·m)}; the state is {@code <accumulator=m>}.
 */
public record Sgd(float learningRate, float momentum, boolean nesterov) implements Optimizer {

    public Sgd {
        HyperparameterChecks.nonNegative("SGD", "learning_rate", learningRate);
        HyperparameterChecks.unitInterval("SGD", "momentum", momentum);
        if (nesterov && momentum == 0f) {
            throw new IllegalArgumentException("SGD with nesterov needs momentum > 0");
        }
    }

    /** Plain SGD. */
    public static Sgd of(float learningRate) {
        return new Sgd(learningRate, 0f, false);
    }

    public Sgd withMomentum(float m) {
        return new Sgd(learningRate, m, false);
    }

    public Sgd withNesterov(float m) {
        return new Sgd(learningRate, m, true);
    }

    @Override
    public Struct initialize(Type weightsType) {
        Value zeros = OptimizerState.filled(weightsType, 0f);
        return momentum == 0f ? Struct.empty() : Struct.named("accumulator", zeros);
    }

    @Override
    public Step next(Struct state, Value weights, Value gradients) {
        List<float[]> w = OptimizerState.weights("SGD", weights, gradients);
        List<float[]> g = OptimizerState.weights("SGD", gradients, gradients);
        float[][] newW = OptimizerState.newArrays(w);
        if (momentum == 0f) {
            if (state.size() != 0) {
                throw new IllegalArgumentException("SGD without momentum has an empty state, got " + state.type());
            }
            for (int l = 0; l < w.size(); l++) {
                float[] wl = w.get(l), gl = g.get(l), out = newW[l];
                for (int i = 0; i < wl.length; i++) {
                    out[i] = wl[i] - learningRate * gl[i];
                }
            }
            return new Step(state, OptimizerState.pack(weights, newW));
        }
        List<float[]> m = OptimizerState.slot("SGD", state, "accumulator", weights);
        float[][] newM = OptimizerState.newArrays(w);
        for (int l = 0; l < w.size(); l++) {
            float[] wl = w.get(l), gl = g.get(l), ml = m.get(l), outW = newW[l], outM = newM[l];
            for (int i = 0; i < wl.length; i++) {
                float acc = momentum * ml[i] + gl[i];
                outM[i] = acc;
                outW[i] = nesterov ? wl[i] - learningRate * (gl[i] + momentum * acc) : wl[i] - learningRate * acc;
            }
        }
        return new Step(
                Struct.named("accumulator", OptimizerState.pack(weights, newM)), OptimizerState.pack(weights, newW));
    }
}
