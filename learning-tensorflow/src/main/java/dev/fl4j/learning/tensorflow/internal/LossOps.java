package dev.fl4j.learning.tensorflow.internal;

import dev.fl4j.learning.keras.Loss;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Losses as TensorFlow ops. Sparse cross-entropy uses a one-hot encoding and
 * {@code SoftmaxCrossEntropyWithLogits}, because the sparse op has no C++ gradient.
 */
final class LossOps {

    private static final float EPSILON = 1e-7f;

    private LossOps() {}

    @SuppressWarnings("unchecked")
    static Operand<TFloat32> build(Ops tf, Loss loss, Operand<TFloat32> predictions, Operand<?> labels, int lastDim) {
        Operand<TInt32> all = tf.constant(new int[] {-1});
        Operand<TInt32> axis0 = tf.constant(0);
        if (loss instanceof Loss.SparseCategoricalCrossentropy s) {
            Operand<TFloat32> scores = tf.reshape(predictions, tf.constant(new int[] {-1, lastDim}));
            Operand<TInt32> ids = tf.reshape((Operand<TInt32>) labels, all);
            Operand<TFloat32> oneHot = tf.oneHot(ids, tf.constant(lastDim), tf.constant(1f), tf.constant(0f));
            Operand<TFloat32> perExample;
            if (s.fromLogits()) {
                perExample = tf.nn.softmaxCrossEntropyWithLogits(scores, oneHot).loss();
            } else {
                Operand<TFloat32> normalised = tf.math.div(
                        scores, tf.sum(scores, tf.constant(new int[] {1}), org.tensorflow.op.core.Sum.keepDims(true)));
                Operand<TFloat32> clipped = clip(tf, normalised);
                perExample = tf.math.neg(tf.sum(tf.math.mul(oneHot, tf.math.log(clipped)), tf.constant(1)));
            }
            return tf.math.mean(perExample, axis0);
        }
        Operand<TFloat32> p = tf.reshape(predictions, all);
        Operand<TFloat32> y = tf.reshape((Operand<TFloat32>) labels, all);
        if (loss instanceof Loss.BinaryCrossentropy b) {
            Operand<TFloat32> perElement;
            if (b.fromLogits()) {
                Operand<TFloat32> relu = tf.math.maximum(p, tf.constant(0f));
                Operand<TFloat32> softplusNegAbs = tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(p))));
                perElement = tf.math.add(tf.math.sub(relu, tf.math.mul(p, y)), softplusNegAbs);
            } else {
                Operand<TFloat32> clipped = clip(tf, p);
                Operand<TFloat32> eps = tf.constant(EPSILON);
                Operand<TFloat32> one = tf.constant(1f);
                Operand<TFloat32> pos = tf.math.mul(y, tf.math.log(tf.math.add(clipped, eps)));
                Operand<TFloat32> neg =
                        tf.math.mul(tf.math.sub(one, y), tf.math.log(tf.math.add(tf.math.sub(one, clipped), eps)));
                perElement = tf.math.neg(tf.math.add(pos, neg));
            }
            return tf.math.mean(perElement, axis0);
        }
        if (loss instanceof Loss.MeanSquaredError) {
            return tf.math.mean(tf.math.square(tf.math.sub(p, y)), axis0);
        }
        throw new IllegalStateException("no TensorFlow translation for loss " + loss);
    }

    private static Operand<TFloat32> clip(Ops tf, Operand<TFloat32> p) {
        return tf.math.minimum(tf.math.maximum(p, tf.constant(EPSILON)), tf.constant(1f - EPSILON));
    }
}
