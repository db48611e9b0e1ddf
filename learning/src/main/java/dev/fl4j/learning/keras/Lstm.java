package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;
import java.util.List;

/**
 * Keras's {@code LSTM} over input {@code [batch, time, features]} with Keras's defaults: tanh
 * activation, sigmoid recurrent activation, gate order input, forget, cell, output; kernel
 * {@code [features, 4·units]} (Glorot uniform), recurrent kernel {@code [units, 4·units]}
 * (orthogonal), bias {@code [4·units]} (zeros, forget gate ones when {@code unit_forget_bias}). The
 * time axis is unrolled, so the sequence length must be known. Output {@code [batch, time, units]}
 * with {@code return_sequences}, else the last step {@code [batch, units]}.
 */
public record Lstm(
        int units,
        boolean returnSequences,
        Initializer kernelInitializer,
        Initializer recurrentInitializer,
        boolean unitForgetBias)
        implements Layer {

    public Lstm {
        if (units <= 0 || units > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("LSTM units must be in 1.." + Integer.MAX_VALUE / 4
                    + " (its weights hold 4 × units gates), got " + units);
        }
    }

    /** An LSTM with Keras's defaults: the last step only ({@code return_sequences=False}), unit forget bias. */
    public static Lstm of(int units) {
        return new Lstm(units, false, Initializer.glorotUniform(), Initializer.orthogonal(), true);
    }

    /** This layer returning every time step ({@code return_sequences=True}) or only the last. */
    public Lstm withReturnSequences(boolean returnSequences) {
        return new Lstm(units, returnSequences, kernelInitializer, recurrentInitializer, unitForgetBias);
    }

    @Override
    public String baseName() {
        return "lstm";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireRank(input, 3, "LSTM");
        LayerShapes.requireFloat(input, "LSTM");
        LayerShapes.requireKnownInner(input, "LSTM");
        int[] s = input.shape();
        return returnSequences
                ? new TensorType(input.dtype(), TensorType.UNKNOWN, s[1], units)
                : new TensorType(input.dtype(), TensorType.UNKNOWN, units);
    }

    @Override
    public List<WeightSpec> weights(TensorType input) {
        int features = input.shape()[2];
        Initializer bias = unitForgetBias ? new Initializer.UnitForgetBias(units) : Initializer.zeros();
        return List.of(
                WeightSpec.trainable("kernel", new int[] {features, 4 * units}, kernelInitializer),
                WeightSpec.trainable("recurrent_kernel", new int[] {units, 4 * units}, recurrentInitializer),
                WeightSpec.trainable("bias", new int[] {4 * units}, bias));
    }
}
