package dev.fl4j.learning.tensorflow.internal;

import dev.fl4j.learning.optimizers.Adagrad;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.RmsProp;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.optimizers.Yogi;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A functional {@link Optimizer}'s update rule compiled into the graph, so a local training step is
 * one session run. Each rule repeats the float32 formula of its Java counterpart in the same order
 * of operations. Slots are variables reset at the start of every client; the bias-corrected step
 * size of Adam and Yogi is computed in Java (by the optimizer itself) and fed each step.
 */
final class InGraphOptimizer {

    /**
     * The update op, the op that resets the slots, the fed step size (null if unused) and the
     * learning rate, a placeholder that defaults to the optimizer's own (null for Adam and Yogi, whose
     * learning rate is part of the fed step size).
     */
    record Built(
            Op step, Op resetSlots, Placeholder<TFloat32> stepSize, PlaceholderWithDefault<TFloat32> learningRate) {}

    private final Ops tf;
    private final List<Op> resets = new ArrayList<>();
    private PlaceholderWithDefault<TFloat32> learningRate;

    private InGraphOptimizer(Ops tf) {
        this.tf = tf;
    }

    /**
     * @param before ops every update must wait for (all gradients and metric updates: ref variables
     *     are read in place, so no weight may change before every read of the step is done)
     */
    static Built build(
            Ops tf,
            Optimizer optimizer,
            List<Variable<TFloat32>> vars,
            List<Operand<TFloat32>> grads,
            List<Op> before) {
        return new InGraphOptimizer(tf).compile(optimizer, vars, grads, before);
    }

    private Built compile(
            Optimizer optimizer, List<Variable<TFloat32>> vars, List<Operand<TFloat32>> grads, List<Op> before) {
        Ops dep = tf.withControlDependencies(before);
        List<Op> updates = new ArrayList<>();
        Placeholder<TFloat32> stepSize = null;
        if (optimizer instanceof Adam || optimizer instanceof Yogi) {
            stepSize = tf.withName("step_size").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        } else {
            learningRate = tf.withName("learning_rate")
                    .placeholderWithDefault(tf.constant(optimizer.learningRate()), Shape.scalar());
        }
        for (int i = 0; i < vars.size(); i++) {
            Variable<TFloat32> w = vars.get(i);
            Operand<TFloat32> g = decayed(grads.get(i), w, weightDecay(optimizer));
            if (optimizer instanceof Sgd s) {
                updates.add(sgd(dep, s, w, g));
            } else if (optimizer instanceof Adam a) {
                updates.add(adaptive(dep, w, g, a.beta1(), a.beta2(), a.epsilon(), stepSize, false, 0f));
            } else if (optimizer instanceof Yogi y) {
                updates.add(adaptive(
                        dep, w, g, y.beta1(), y.beta2(), y.epsilon(), stepSize, true, y.initialPreconditionerValue()));
            } else if (optimizer instanceof Adagrad a) {
                Variable<TFloat32> p = slot(w, a.initialPreconditionerValue());
                Operand<TFloat32> p1 = dep.assign(p, tf.math.add(p, tf.math.square(g)));
                Operand<TFloat32> delta = tf.math.div(
                        tf.math.mul(learningRate, g), tf.math.sqrt(tf.math.add(p1, tf.constant(a.epsilon()))));
                updates.add(tf.assignSub(w, delta));
            } else if (optimizer instanceof RmsProp r) {
                Variable<TFloat32> p = slot(w, 0f);
                Operand<TFloat32> p1 = dep.assign(
                        p,
                        tf.math.add(
                                tf.math.mul(tf.constant(r.decay()), p),
                                tf.math.mul(tf.constant(1f - r.decay()), tf.math.square(g))));
                Operand<TFloat32> delta = tf.math.div(
                        tf.math.mul(learningRate, g), tf.math.add(tf.math.sqrt(p1), tf.constant(r.epsilon())));
                updates.add(tf.assignSub(w, delta));
            } else {
                throw new IllegalStateException("no in-graph rule for " + optimizer);
            }
        }
        Op step = tf.withControlDependencies(updates).withName("train_step").noOp();
        Op reset =
                tf.withControlDependencies(resets).withName("reset_optimizer").noOp();
        return new Built(step, reset, stepSize, learningRate);
    }

    private static float weightDecay(Optimizer optimizer) {
        if (optimizer instanceof Sgd s) {
            return s.weightDecay();
        } else if (optimizer instanceof Adam a) {
            return a.weightDecay();
        } else if (optimizer instanceof Yogi y) {
            return y.weightDecay();
        } else if (optimizer instanceof Adagrad a) {
            return a.weightDecay();
        } else if (optimizer instanceof RmsProp r) {
            return r.weightDecay();
        }
        throw new IllegalStateException("no in-graph rule for " + optimizer);
    }

    /**
     * L2 weight decay coupled to the gradient, as the Java rule: {@code g + wd·w} ({@code g} itself for
     * 0). The weight is read before the update that waits for this gradient, so it is the step's weight.
     */
    private Operand<TFloat32> decayed(Operand<TFloat32> g, Variable<TFloat32> w, float wd) {
        return wd == 0f ? g : tf.math.add(g, tf.math.mul(tf.constant(wd), w));
    }

    private Op sgd(Ops dep, Sgd s, Variable<TFloat32> w, Operand<TFloat32> g) {
        Operand<TFloat32> lr = learningRate;
        if (s.momentum() == 0f) {
            return dep.assignSub(w, tf.math.mul(lr, g));
        }
        Variable<TFloat32> m = slot(w, 0f);
        Operand<TFloat32> mom = tf.constant(s.momentum());
        Operand<TFloat32> acc = dep.assign(m, tf.math.add(tf.math.mul(mom, m), g));
        Operand<TFloat32> direction = s.nesterov() ? tf.math.add(g, tf.math.mul(mom, acc)) : acc;
        return tf.assignSub(w, tf.math.mul(lr, direction));
    }

    private Op adaptive(
            Ops dep,
            Variable<TFloat32> w,
            Operand<TFloat32> g,
            float beta1,
            float beta2,
            float epsilon,
            Operand<TFloat32> stepSize,
            boolean yogi,
            float initialV) {
        Variable<TFloat32> m = slot(w, 0f);
        Variable<TFloat32> v = slot(w, initialV);
        Operand<TFloat32> g2 = tf.math.square(g);
        Operand<TFloat32> m1 =
                dep.assign(m, tf.math.add(tf.math.mul(tf.constant(beta1), m), tf.math.mul(tf.constant(1f - beta1), g)));
        Operand<TFloat32> newV = yogi
                ? tf.math.sub(
                        v, tf.math.mul(tf.math.mul(tf.constant(1f - beta2), tf.math.sign(tf.math.sub(v, g2))), g2))
                : tf.math.add(tf.math.mul(tf.constant(beta2), v), tf.math.mul(tf.constant(1f - beta2), g2));
        Operand<TFloat32> v1 = dep.assign(v, newV);
        Operand<TFloat32> delta =
                tf.math.div(tf.math.mul(stepSize, m1), tf.math.add(tf.math.sqrt(v1), tf.constant(epsilon)));
        return tf.assignSub(w, delta);
    }

    private Variable<TFloat32> slot(Variable<TFloat32> like, float initial) {
        Shape shape = like.shape();
        Variable<TFloat32> s = tf.variable(shape, TFloat32.class);
        resets.add(tf.assign(s, tf.fill(tf.constant(shape), tf.constant(initial))));
        return s;
    }
}
