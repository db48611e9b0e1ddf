package dev.fl4j.learning.optimizers;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.List;

/**
 * RMSprop as TFF's {@code build_rmsprop}: {@code p ← ρ·p + (1−ρ)·g²},
 * {@code w ← w − lr·g / (sqrt(p) + ε)}, {@code p} starting at zero. State {@code <preconditioner=p>}.
 *
 * <p>{@code weight_decay} λ (default 0) is an L2 penalty coupled to the gradient, as PyTorch's
 * {@code weight_decay} argument of its SGD, Adam, Adagrad and RMSprop: the rule sees
 * {@code g + λ·w} instead of {@code g} (so adaptive rules scale the decay too; it is not AdamW's or
 * Keras 3's decoupled {@code weight_decay}). With λ = 0 the gradient is used as it is, bit for bit.
 */
public record RmsProp(float learningRate, float decay, float epsilon, float weightDecay) implements Optimizer {

    public RmsProp {
        HyperparameterChecks.nonNegative("RMSprop", "learning_rate", learningRate);
        HyperparameterChecks.unitInterval("RMSprop", "decay", decay);
        HyperparameterChecks.nonNegative("RMSprop", "epsilon", epsilon);
        HyperparameterChecks.nonNegative("RMSprop", "weight_decay", weightDecay);
    }

    /** TFF's defaults: decay 0.9, ε 1e-7. */
    public static RmsProp of(float learningRate) {
        return new RmsProp(learningRate, 0.9f, 1e-7f, 0f);
    }

    /** This optimizer with L2 weight decay {@code wd} (PyTorch's {@code weight_decay}; see the class comment). */
    public RmsProp withWeightDecay(float wd) {
        return new RmsProp(learningRate, decay, epsilon, wd);
    }

    @Override
    public Struct initialize(Type weightsType) {
        return Struct.named("preconditioner", OptimizerState.filled(weightsType, 0f));
    }

    @Override
    public Step next(Struct state, Value weights, Value gradients) {
        List<float[]> w = OptimizerState.weights("RMSprop", weights, gradients);
        List<float[]> g =
                OptimizerState.decayed(OptimizerState.weights("RMSprop", gradients, gradients), w, weightDecay);
        List<float[]> p = OptimizerState.slot("RMSprop", state, "preconditioner", weights);
        float oneMinusDecay = 1f - decay;
        float[][] newW = OptimizerState.newArrays(w), newP = OptimizerState.newArrays(w);
        for (int l = 0; l < w.size(); l++) {
            float[] wl = w.get(l), gl = g.get(l), pl = p.get(l), ow = newW[l], op = newP[l];
            for (int i = 0; i < wl.length; i++) {
                float gi = gl[i];
                float pi = decay * pl[i] + oneMinusDecay * (gi * gi);
                op[i] = pi;
                ow[i] = wl[i] - learningRate * gi / ((float) Math.sqrt(pi) + epsilon);
            }
        }
        return new Step(
                Struct.named("preconditioner", OptimizerState.pack(weights, newP)), OptimizerState.pack(weights, newW));
    }

    @Override
    public RmsProp withLearningRate(float lr) {
        return new RmsProp(lr, decay, epsilon, weightDecay);
    }
}
