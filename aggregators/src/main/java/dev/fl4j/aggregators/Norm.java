package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.core.Value;

/** The global norm of a client's value (over every element of every leaf) that a bound applies to. */
public enum Norm {

    /** The Euclidean norm √Σx². */
    L2 {
        @Override
        public double of(Value value) {
            return ValueMath.l2Norm(value);
        }
    },

    /** The largest absolute element, TFF's {@code norm_order=inf}. */
    LINF {
        @Override
        public double of(Value value) {
            return ValueMath.linfNorm(value);
        }
    };

    /** This norm of {@code value}; NaN if an element is NaN, infinite if one is infinite. */
    public abstract double of(Value value);
}
