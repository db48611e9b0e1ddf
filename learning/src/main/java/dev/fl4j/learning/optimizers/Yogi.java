package dev.fl4j.learning.optimizers;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.List;

/**
 * Yogi (Zaheer et al. 2018) as TFF's {@code build_yogi}: {@code m ← β1·m + (1−β1)·g},
 * {@code v ← v − (1−β2)·sign(v − g²)·g²} with {@code v} starting at
 * {@code initial_preconditioner_value}, {@code w ← w − lr·sqrt(1−β2^t)/(1−β1^t) · m / (sqrt(v) + ε)}.
 * State {@code <step=int64, accumulator=m, preconditioner=v>}.
 *
 * <p>{@code weight_decay} λ (default 0) is an L2 penalty coupled to the gradient, as PyTorch's
 * {@code weight_decay} argument of its SGD, Adam, Adagrad and RMSprop: the rule sees
 * {@code g + λ·w} instead of {@code g} (so adaptive rules scale the decay too; it is not AdamW's or
 * Keras 3's decoupled {@code weight_decay}). With λ = 0 the gradient is used as it is, bit for bit.
 */
public record Yogi(
        float learningRate,
        float beta1,
        float beta2,
        float epsilon,
        float initialPreconditionerValue,
        float weightDecay)
        implements Optimizer {

    public Yogi {
        HyperparameterChecks.nonNegative("Yogi", "learning_rate", learningRate);
        HyperparameterChecks.unitInterval("Yogi", "beta_1", beta1);
        HyperparameterChecks.unitInterval("Yogi", "beta_2", beta2);
        HyperparameterChecks.nonNegative("Yogi", "epsilon", epsilon);
        HyperparameterChecks.nonNegative("Yogi", "initial_preconditioner_value", initialPreconditionerValue);
        HyperparameterChecks.nonNegative("Yogi", "weight_decay", weightDecay);
    }

    /** TFF's defaults: β1 0.9, β2 0.999, ε 1e-3, initial preconditioner 1e-6. */
    public static Yogi of(float learningRate) {
        return new Yogi(learningRate, 0.9f, 0.999f, 1e-3f, 1e-6f, 0f);
    }

    /** This optimizer with L2 weight decay {@code wd} (PyTorch's {@code weight_decay}; see the class comment). */
    public Yogi withWeightDecay(float wd) {
        return new Yogi(learningRate, beta1, beta2, epsilon, initialPreconditionerValue, wd);
    }

    @Override
    public Struct initialize(Type weightsType) {
        return Struct.builder()
                .add("step", Tensor.scalar(0L))
                .add("accumulator", OptimizerState.filled(weightsType, 0f))
                .add("preconditioner", OptimizerState.filled(weightsType, initialPreconditionerValue))
                .build();
    }

    /** The step size at step {@code t}: {@code lr · sqrt(1−β2^t)/(1−β1^t)}, in float32. */
    public float stepSize(long t) {
        return learningRate * OptimizerState.biasCorrection(beta1, beta2, t);
    }

    @Override
    public Step next(Struct state, Value weights, Value gradients) {
        List<float[]> w = OptimizerState.weights("Yogi", weights, gradients);
        List<float[]> g = OptimizerState.decayed(OptimizerState.weights("Yogi", gradients, gradients), w, weightDecay);
        List<float[]> m = OptimizerState.slot("Yogi", state, "accumulator", weights);
        List<float[]> v = OptimizerState.slot("Yogi", state, "preconditioner", weights);
        long t = OptimizerState.step("Yogi", state) + 1;
        float lrT = stepSize(t);
        float oneMinusB1 = 1f - beta1;
        float oneMinusB2 = 1f - beta2;
        float[][] newW = OptimizerState.newArrays(w),
                newM = OptimizerState.newArrays(w),
                newV = OptimizerState.newArrays(w);
        for (int l = 0; l < w.size(); l++) {
            float[] wl = w.get(l), gl = g.get(l), ml = m.get(l), vl = v.get(l);
            float[] ow = newW[l], om = newM[l], ov = newV[l];
            for (int i = 0; i < wl.length; i++) {
                float gi = gl[i];
                float g2 = gi * gi;
                float mi = beta1 * ml[i] + oneMinusB1 * gi;
                float vi = vl[i] - oneMinusB2 * Math.signum(vl[i] - g2) * g2;
                om[i] = mi;
                ov[i] = vi;
                ow[i] = wl[i] - lrT * mi / ((float) Math.sqrt(vi) + epsilon);
            }
        }
        Struct newState = Struct.builder()
                .add("step", Tensor.scalar(t))
                .add("accumulator", OptimizerState.pack(weights, newM))
                .add("preconditioner", OptimizerState.pack(weights, newV))
                .build();
        return new Step(newState, OptimizerState.pack(weights, newW));
    }

    @Override
    public Yogi withLearningRate(float lr) {
        return new Yogi(lr, beta1, beta2, epsilon, initialPreconditionerValue, weightDecay);
    }
}
