package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.Bound;
import dev.fl4j.core.templates.EstimationProcess;

/**
 * TFF's {@code zeroing_factory}: a client's value whose norm ({@link Norm#L2} or {@link Norm#LINF})
 * exceeds the bound becomes zeros before the inner factory aggregates it; its weight is kept, as in
 * TFF. A value with a NaN or infinite element has a non-finite norm and is zeroed too. The bound is
 * a constant or the report of an {@link EstimationProcess} (e.g.
 * {@link QuantileEstimation#noNoise}: {@code estimate × multiplier + increment}) that is fed the
 * clients' norms every round.
 *
 * <p>Weighted or unweighted as its inner factory is: {@code create(T)} needs an
 * {@link UnweightedAggregationFactory} inside, {@code create(T, W)} a
 * {@link WeightedAggregationFactory}.
 *
 * <p>State {@code <zeroing_norm=.., inner_agg=..>}; measurements
 * {@code <zeroing_norm=float32, zeroed_count=int32, zeroing=<inner measurements>>} — the bound used
 * this round, the number of zeroed clients, and the inner factory's measurements, as TFF names them.
 */
public final class ZeroingFactory extends NormBoundFactory {

    private ZeroingFactory(Bound bound, Norm norm, AggregationFactory inner) {
        super(bound, norm, inner, "zero", "zeroed_count");
    }

    /** Zeroing at a constant bound (finite, >= 0). */
    public static ZeroingFactory fixed(double bound, Norm norm, AggregationFactory inner) {
        return new ZeroingFactory(Bound.constant(bound, "zeroing norm"), norm, inner);
    }

    /**
     * Zeroing at the bound {@code bound} reports each round; it takes
     * {@code (state, {float32}@CLIENTS)} norms and reports {@code float32@SERVER}.
     */
    public static ZeroingFactory adaptive(EstimationProcess bound, Norm norm, AggregationFactory inner) {
        return new ZeroingFactory(Bound.adaptive(bound, "zeroing norm"), norm, inner);
    }

    @Override
    String factoryName() {
        return ZEROING;
    }
}
