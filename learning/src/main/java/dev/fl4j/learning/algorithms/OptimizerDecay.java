package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.optimizers.Adagrad;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.RmsProp;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.optimizers.Yogi;

/** The L2 weight decay of any of the library's optimizers, for algorithms that cannot take one. */
final class OptimizerDecay {

    private OptimizerDecay() {}

    static float of(Optimizer o) {
        if (o instanceof Sgd x) {
            return x.weightDecay();
        } else if (o instanceof Adam x) {
            return x.weightDecay();
        } else if (o instanceof Adagrad x) {
            return x.weightDecay();
        } else if (o instanceof Yogi x) {
            return x.weightDecay();
        }
        return ((RmsProp) o).weightDecay();
    }
}
