package dev.fl4j.learning.optimizers;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.List;

/**
 * Adagrad as TFF's {@code build_adagrad}: {@code p ← p + g²}, {@code w ← w − lr·g / sqrt(p + ε)},
 * with {@code p} starting at {@code initial_preconditioner_value}. State {@code <preconditioner=p>}.
 */
public record Adagrad(float learningRate, float initialPreconditionerValue, float epsilon) implements Optimizer {

    public Adagrad {
        HyperparameterChecks.nonNegative("Adagrad", "learning_rate", learningRate);
        HyperparameterChecks.nonNegative("Adagrad", "initial_preconditioner_value", initialPreconditionerValue);
        HyperparameterChecks.nonNegative("Adagrad", "epsilon", epsilon);
    }

    /** TFF's defaults: initial preconditioner 0.1, ε 1e-7. */
    public static Adagrad of(float learningRate) {
        return new Adagrad(learningRate, 0.1f, 1e-7f);
    }

    @Override
    public Struct initialize(Type weightsType) {
        return Struct.named("preconditioner", OptimizerState.filled(weightsType, initialPreconditionerValue));
    }

    @Override
    public Step next(Struct state, Value weights, Value gradients) {
        List<float[]> w = OptimizerState.weights("Adagrad", weights, gradients);
        List<float[]> g = OptimizerState.weights("Adagrad", gradients, gradients);
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
}
