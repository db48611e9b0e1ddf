package dev.fl4j.core.templates;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.Runtimes;

/**
 * TFF's {@code EstimationProcess}: an iterative process with a {@code report} computation that
 * reads the current estimate from the state (e.g. a quantile estimate for adaptive clipping).
 * {@code report} must take the state ({@link StateNotAssignableException} otherwise).
 */
public class EstimationProcess extends IterativeProcess {

    private final FederatedComputation reportFn;

    public EstimationProcess(FederatedComputation initialize, FederatedComputation next, FederatedComputation report) {
        super(initialize, next);
        this.reportFn = report;
        Type param = report.type().parameter();
        if (param == null || !param.isAssignableFrom(stateType())) {
            throw new StateNotAssignableException(
                    "report '" + report.name() + "' must take the state " + stateType() + " but takes " + param);
        }
    }

    public FederatedComputation reportComputation() {
        return reportFn;
    }

    /** The estimate in {@code state}, on the current runtime. */
    public Value report(Value state) {
        return Runtimes.current().invoke(reportFn, state);
    }

    /** The estimate in {@code state}, on {@code runtime}. */
    public Value report(FederatedRuntime runtime, Value state) {
        return runtime.invoke(reportFn, state);
    }

    /**
     * The same process with {@code fn} applied to the estimate (where the estimate lives), e.g.
     * {@code estimate × multiplier + increment}.
     */
    public EstimationProcess map(LocalComputation fn) {
        Type reported = reportFn.type().result();
        Type mapped = reported instanceof FederatedType f
                ? new FederatedType(fn.type().result(), f.placement(), true)
                : fn.type().result();
        FederatedComputation mappedReport = FederatedComputation.of(
                reportFn.name() + "_then_" + fn.name(), reportFn.type().parameter(), mapped, (ctx, state) -> {
                    Value estimate = ctx.invoke(reportFn, state);
                    return estimate instanceof FederatedValue fv ? ctx.federatedMap(fn, fv) : fn.call(estimate);
                });
        return new EstimationProcess(initializeComputation(), nextComputation(), mappedReport);
    }
}
