package dev.fl4j.core.computation;

import dev.fl4j.core.DType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;

/**
 * A shippable aggregation for tests: float32 values summed into a double (so the sum depends on the
 * order of additions and on where blocks meet), reported as float32; a value equal to the config's
 * number (empty: none) is refused by accumulate. The accumulator crosses as a float64 scalar.
 */
public final class DoubleSumAggregationFactory implements ShippableAggregationFactory {

    @Override
    public ShippableAggregation<?> create(String config, Value payload) {
        if (payload != null) {
            throw new IllegalArgumentException("double_sum takes no payload, got " + payload.type());
        }
        return of(config);
    }

    /** The aggregation, refusing the value {@code refuse} (empty: none). */
    public static ShippableAggregation<double[]> of(String refuse) {
        float refused = refuse.isEmpty() ? Float.NaN : Float.parseFloat(refuse);
        return new ShippableAggregation<>() {
            @Override
            public double[] zero() {
                return new double[1];
            }

            @Override
            public double[] accumulate(double[] acc, Value clientValue) {
                float x = ((Tensor) clientValue).floatValue();
                if (x == refused) {
                    throw new IllegalArgumentException("told to refuse " + refuse);
                }
                acc[0] += x;
                return acc;
            }

            @Override
            public double[] merge(double[] a, double[] b) {
                a[0] += b[0];
                return a;
            }

            @Override
            public Value report(double[] acc) {
                return Tensor.scalar((float) acc[0]);
            }

            @Override
            public Type reportType() {
                return TensorType.scalar(DType.FLOAT32);
            }

            @Override
            public ComputationDescriptor descriptor() {
                return new ComputationDescriptor(DoubleSumAggregationFactory.class.getName(), refuse, null);
            }

            @Override
            public Value encodeAccumulator(double[] acc) {
                return Tensor.scalar(acc[0]);
            }

            @Override
            public double[] decodeAccumulator(Value encoded) {
                if (!(encoded instanceof Tensor t) || t.dtype() != DType.FLOAT64 || t.rank() != 0) {
                    throw new IllegalArgumentException(
                            "double_sum: accumulator must be float64, got " + encoded.type());
                }
                return new double[] {t.doubleValue()};
            }
        };
    }
}
