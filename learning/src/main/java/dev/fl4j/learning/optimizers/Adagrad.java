package dev.fl4j.learning.optimizers;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.List;

/**
 * Adagrad as TFF's {@code build_adagrad}: {@code p ← p + g²}, {@code w ← w − lr·g / sqrt(p + ε)},
 * with {@code p} starting at {@code initial_preconditioner_value}. State {@code <preconditioner=p>}.
 *
 * <p>{@code weight_decay} λ (default 0) is an L2 penalty coupled to the gradient, as PyTorch's
 * {@code weight_decay} argument of its SGD, Adam, Adagrad and RMSprop: the rule sees
 * {@code g + λ·w} instead of {@code g} (so adaptive rules scale the decay too; it is not AdamW's or
 * Keras 3's decoupled {@code weight_decay}). With λ = 0 the gradient is used as it is, bit for bit.
 */
public record Adagrad(float learningRate, float initialPreconditionerValue, float epsilon, float weightDecay)
        implements Optimizer {

    public Adagrad {
        HyperparameterChecks.nonNegative("Adagrad", "learning_rate", learningRate);
        HyperparameterChecks.nonNegative("Adagrad", "initial_preconditioner_value", initialPreconditionerValue);
        HyperparameterChecks.nonNegative("Adagrad", "epsilon", epsilon);
        HyperparameterChecks.nonNegative("Adagrad", "weight_decay", weightDecay);
    }

    /** TFF's defaults: initial preconditioner 0.1, ε 1e-7. */
    public static Adagrad of(float learningRate) {
        return new Adagrad(learningRate, 0.1f, 1e-7f, 0f);
    }

    /** This optimizer with L2 weight decay {@code wd} (PyTorch's {@code weight_decay}; see the class comment). */
    public Adagrad withWeightDecay(float wd) {
        return new Adagrad(learningRate, initialPreconditionerValue, epsilon, wd);
    }

    @Override
    public Struct initialize(Type weightsType) {
        return Struct.named("preconditioner", OptimizerState.filled(weightsType, initialPreconditionerValue));
    }

    @Override
    public Step next(Struct state, Value weights, Value gradients) {
        List<float[]> w = OptimizerState.weights("Adagrad", weights, gradients);
        List<float[]> g =
                OptimizerState.decayed(OptimizerState.weights("Adagrad", gradients, gradients), w, weightDecay);
        List<float[]> p = OptimizerState.slot("Adagrad", state, "preconditioner", weights);
        float[][] newW = OptimizerState.newArrays(w), newP = OptimizerState.newArrays(w);
        for (int l = 0; l < w.size(); l++) {
            float[] wl = w.get(l), gl = g.get(l), pl = p.get(l), ow = newW[l], op = newP[l];
            for (int i = 0; i < wl.length; i++) {
                float gi = gl[i];
                float pi = pl[i] + gi * gi;
                op[i] = pi;
                ow[i] = wl[i] - learningRate * gi / (float) Math.sqrt(pi + epsilon);
            }
        }
        return new Step(
                Struct.named("preconditioner", OptimizerState.pack(weights, newP)), OptimizerState.pack(weights, newW));
    }

    @Override
    public Adagrad withLearningRate(float lr) {
        return new Adagrad(lr, initialPreconditionerValue, epsilon, weightDecay);
    }
}
