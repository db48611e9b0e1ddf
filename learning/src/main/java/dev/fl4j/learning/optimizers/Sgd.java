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
 *
 * <p>{@code weight_decay} λ (default 0) is an L2 penalty coupled to the gradient, as PyTorch's
 * {@code weight_decay} argument of its SGD, Adam, Adagrad and RMSprop: the rule sees
 * {@code g + λ·w} instead of {@code g} (so adaptive rules scale the decay too; it is not AdamW's or
 * Keras 3's decoupled {@code weight_decay}). With λ = 0 the gradient is used as it is, bit for bit.
 */
public record Sgd(float learningRate, float momentum, boolean nesterov, float weightDecay) implements Optimizer {

    public Sgd {
        HyperparameterChecks.nonNegative("SGD", "learning_rate", learningRate);
        HyperparameterChecks.unitInterval("SGD", "momentum", momentum);
        HyperparameterChecks.nonNegative("SGD", "weight_decay", weightDecay);
        if (nesterov && momentum == 0f) {
            throw new IllegalArgumentException("SGD with nesterov needs momentum > 0");
        }
    }

    /** Plain SGD. */
    public static Sgd of(float learningRate) {
        return new Sgd(learningRate, 0f, false, 0f);
    }

    public Sgd withMomentum(float m) {
        return new Sgd(learningRate, m, false, weightDecay);
    }

    public Sgd withNesterov(float m) {
        return new Sgd(learningRate, m, true, weightDecay);
    }

    /** This optimizer with L2 weight decay {@code wd} (PyTorch's {@code weight_decay}; see the class comment). */
    public Sgd withWeightDecay(float wd) {
        return new Sgd(learningRate, momentum, nesterov, wd);
    }

    @Override
    public Struct initialize(Type weightsType) {
        Value zeros = OptimizerState.filled(weightsType, 0f);
        return momentum == 0f ? Struct.empty() : Struct.named("accumulator", zeros);
    }

    @Override
    public Step next(Struct state, Value weights, Value gradients) {
        List<float[]> w = OptimizerState.weights("SGD", weights, gradients);
        List<float[]> g = OptimizerState.decayed(OptimizerState.weights("SGD", gradients, gradients), w, weightDecay);
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

    @Override
    public Sgd withLearningRate(float lr) {
        return new Sgd(lr, momentum, nesterov, weightDecay);
    }
}
