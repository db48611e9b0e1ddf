package dev.fl4j.learning.optimizers;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.List;

/**
 * RMSprop as TFF's {@code build_rmsprop}: {@code p ← ρ·p + (1−ρ)·g²},
 * {@code w ← w − lr·g / (sqrt(p) + ε)}, {@code p} starting at zero. State {@code <preconditioner=p>}.
 */
public record RmsProp(float learningRate, float decay, float epsilon) implements Optimizer {

    public RmsProp {
        HyperparameterChecks.nonNegative("RMSprop", "learning_rate", learningRate);
        HyperparameterChecks.unitInterval("RMSprop", "decay", decay);
        HyperparameterChecks.nonNegative("RMSprop", "epsilon", epsilon);
    }

    /** TFF's defaults: decay 0.9, ε 1e-7. */
    public static RmsProp of(float learningRate) {
        return new RmsProp(learningRate, 0.9f, 1e-7f);
    }

    @Override
    public Struct initialize(Type weightsType) {
        return Struct.named("preconditioner", OptimizerState.filled(weightsType, 0f));
    }

    @Override
    public Step next(Struct state, Value weights, Value gradients) {
        List<float[]> w = OptimizerState.weights("RMSprop", weights, gradients);
        List<float[]> g = OptimizerState.weights("RMSprop", gradients, gradients);
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
}
