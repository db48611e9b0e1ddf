package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.Bound;
import dev.fl4j.core.templates.EstimationProcess;

/**
 * TFF's {@code clipping_factory}: each client's value is projected onto the L2 ball of radius
 * {@code bound} (scaled by {@code bound/‖v‖₂} when its global L2 norm exceeds the bound) before the
 * inner factory aggregates it; weights are kept. A value with a NaN or infinite element has no
 * projection and becomes zeros (counted as clipped). The bound is a constant or the report of an
 * {@link EstimationProcess} fed the clients' L2 norms (before clipping) every round.
 *
 * <p>Weighted or unweighted as its inner factory is (see {@link ZeroingFactory}).
 *
 * <p>State {@code <clipping_norm=.., inner_agg=..>}; measurements
 * {@code <clipping_norm=float32, clipped_count=int32, clipping=<inner measurements>>}, as TFF names
 * them.
 */
public final class ClippingFactory extends NormBoundFactory {

    private ClippingFactory(Bound bound, AggregationFactory inner) {
        super(bound, Norm.L2, inner, "clipp", "clipped_count");
    }

    /** Clipping to a constant L2 bound (finite, >= 0). */
    public static ClippingFactory fixed(double bound, AggregationFactory inner) {
        return new ClippingFactory(Bound.constant(bound, "clipping norm"), inner);
    }

    /** Clipping to the L2 bound {@code bound} reports each round; it is fed the clients' L2 norms. */
    public static ClippingFactory adaptive(EstimationProcess bound, AggregationFactory inner) {
        return new ClippingFactory(Bound.adaptive(bound, "clipping norm"), inner);
    }

    @Override
    String factoryName() {
        return CLIPPING;
    }
}
