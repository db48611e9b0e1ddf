package dev.fl4j.aggregators.internal;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.computation.FederatedComputation;

/** The empty server state {@code <>@SERVER} of factories that keep no state. */
public final class Stateless {

    public static final FederatedType STATE = FederatedType.server(StructType.of());

    private Stateless() {}

    public static FederatedComputation initialize(String name) {
        return FederatedComputation.noArg(
                name + "_initialize", STATE, (ctx, arg) -> ctx.federatedValue(Struct.empty(), Placement.SERVER));
    }
}
