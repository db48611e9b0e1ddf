package dev.fl4j.learning.tensorflow.internal;

import dev.fl4j.core.TensorType;
import dev.fl4j.learning.keras.Activation;
import dev.fl4j.learning.keras.ActivationLayer;
import dev.fl4j.learning.keras.AveragePooling2D;
import dev.fl4j.learning.keras.Conv2D;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.Dropout;
import dev.fl4j.learning.keras.Embedding;
import dev.fl4j.learning.keras.Flatten;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Layer;
import dev.fl4j.learning.keras.Lstm;
import dev.fl4j.learning.keras.MaxPooling2D;
import dev.fl4j.learning.keras.Reshape;
import dev.fl4j.learning.keras.Softmax;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Split;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Turns layer descriptions into TensorFlow ops. Only ops with C++ gradients are used, since TF Java
 * builds gradients with the C API: embeddings are one-hot products rather than gathers, the LSTM is
 * unrolled with MatMul, Split, Unstack and Stack.
 */
final class LayerOps {

    private final Ops tf;

    LayerOps(Ops tf) {
        this.tf = tf;
    }

    /**
     * The output of {@code layer} on {@code in}.
     *
     * @param weights the layer's variables in the order of {@code layer.weights(...)}
     * @param dropoutSeed the int64[2] stateless seed for this layer's mask, used in training mode
     */
    @SuppressWarnings("unchecked")
    Operand<?> apply(
            Layer layer,
            Operand<?> in,
            TensorType inType,
            TensorType outType,
            List<Variable<TFloat32>> weights,
            boolean training,
            Operand<TInt64> dropoutSeed) {
        if (layer instanceof InputLayer) {
            return in;
        }
        if (layer instanceof Embedding e) {
            Operand<TFloat32> oneHot =
                    tf.oneHot((Operand<TInt32>) in, tf.constant(e.inputDim()), tf.constant(1f), tf.constant(0f));
            Operand<TFloat32> flat = tf.reshape(oneHot, tf.constant(new int[] {-1, e.inputDim()}));
            return tf.reshape(tf.linalg.matMul(flat, weights.get(0)), tf.constant(batchShape(outType)));
        }
        Operand<TFloat32> x = (Operand<TFloat32>) in;
        if (layer instanceof Conv2D c) {
            Operand<TFloat32> y = tf.nn.conv2d(
                    x,
                    weights.get(0),
                    List.of(1L, (long) c.strides().get(0), (long) c.strides().get(1), 1L),
                    c.padding().tfName());
            if (c.useBias()) {
                y = tf.nn.biasAdd(y, weights.get(1));
            }
            return activate(c.activation(), y);
        }
        if (layer instanceof MaxPooling2D p) {
            return tf.nn.maxPool(
                    x,
                    tf.constant(new int[] {1, p.poolSize().get(0), p.poolSize().get(1), 1}),
                    tf.constant(new int[] {1, p.strides().get(0), p.strides().get(1), 1}),
                    p.padding().tfName());
        }
        if (layer instanceof AveragePooling2D p) {
            return tf.nn.avgPool(
                    x,
                    List.of(1L, (long) p.poolSize().get(0), (long) p.poolSize().get(1), 1L),
                    List.of(1L, (long) p.strides().get(0), (long) p.strides().get(1), 1L),
                    p.padding().tfName());
        }
        if (layer instanceof Flatten || layer instanceof Reshape) {
            return tf.reshape(in, tf.constant(batchShape(outType)));
        }
        if (layer instanceof Dense d) {
            return activate(
                    d.activation(), dense(x, inType, outType, weights.get(0), d.useBias() ? weights.get(1) : null));
        }
        if (layer instanceof Dropout d) {
            if (!training || d.rate() == 0f) {
                return x;
            }
            Operand<TFloat32> u = tf.random.statelessRandomUniform(tf.shape(x), dropoutSeed);
            Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant(d.rate())), TFloat32.class);
            return tf.math.mul(x, tf.math.mul(keep, tf.constant(1f / (1f - d.rate()))));
        }
        if (layer instanceof Lstm l) {
            return lstm(l, x, inType, weights);
        }
        if (layer instanceof Softmax) {
            return tf.nn.softmax(x);
        }
        if (layer instanceof ActivationLayer a) {
            return activate(a.activation(), x);
        }
        throw new IllegalStateException("no TensorFlow translation for layer " + layer);
    }

    Operand<TFloat32> activate(Activation a, Operand<TFloat32> x) {
        return switch (a) {
            case LINEAR -> x;
            case RELU -> tf.nn.relu(x);
            case SIGMOID -> tf.math.sigmoid(x);
            case TANH -> tf.math.tanh(x);
            case SOFTMAX -> tf.nn.softmax(x);
        };
    }

    private Operand<TFloat32> dense(
            Operand<TFloat32> x,
            TensorType inType,
            TensorType outType,
            Operand<TFloat32> kernel,
            Operand<TFloat32> bias) {
        int in = inType.shape()[inType.rank() - 1];
        Operand<TFloat32> flat = inType.rank() == 2 ? x : tf.reshape(x, tf.constant(new int[] {-1, in}));
        Operand<TFloat32> y = tf.linalg.matMul(flat, kernel);
        if (bias != null) {
            y = tf.nn.biasAdd(y, bias);
        }
        return inType.rank() == 2 ? y : tf.reshape(y, tf.constant(batchShape(outType)));
    }

    private Operand<TFloat32> lstm(Lstm l, Operand<TFloat32> x, TensorType inType, List<Variable<TFloat32>> w) {
        int steps = inType.shape()[1];
        int features = inType.shape()[2];
        int units = l.units();
        Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, features}));
        Operand<TFloat32> projected = tf.nn.biasAdd(tf.linalg.matMul(flat, w.get(0)), w.get(2));
        Operand<TFloat32> perStep = tf.reshape(projected, tf.constant(new int[] {-1, steps, 4 * units}));
        Unstack<TFloat32> inputs = tf.unstack(perStep, (long) steps, Unstack.axis(1L));
        Operand<TInt32> lastAxis = tf.constant(1);
        Operand<TFloat32> h = null;
        Operand<TFloat32> c = null;
        List<Operand<TFloat32>> outputs = new ArrayList<>(steps);
        for (int t = 0; t < steps; t++) {
            Operand<TFloat32> z = inputs.output().get(t);
            if (h != null) {
                z = tf.math.add(z, tf.linalg.matMul(h, w.get(1)));
            }
            Split<TFloat32> gates = tf.split(lastAxis, z, 4L);
            Operand<TFloat32> i = tf.math.sigmoid(gates.output().get(0));
            Operand<TFloat32> f = tf.math.sigmoid(gates.output().get(1));
            Operand<TFloat32> g = tf.math.tanh(gates.output().get(2));
            Operand<TFloat32> o = tf.math.sigmoid(gates.output().get(3));
            Operand<TFloat32> ig = tf.math.mul(i, g);
            c = c == null ? ig : tf.math.add(tf.math.mul(f, c), ig);
            h = tf.math.mul(o, tf.math.tanh(c));
            outputs.add(h);
        }
        return l.returnSequences() ? tf.stack(outputs, Stack.axis(1L)) : h;
    }

    /** The shape with the batch dimension as -1, for Reshape. */
    static int[] batchShape(TensorType t) {
        int[] s = t.shape();
        s[0] = -1;
        return s;
    }
}
