package dev.fl4j.core.templates;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;

/** Placement checks shared by the templates. */
final class Placements {

    private Placements() {}

    /**
     * Whether {@code t} is placed at {@code p}: a federated type there, or a structure of such (the empty one
     * included).
     */
    static boolean placedAt(Type t, Placement p) {
        if (t instanceof FederatedType f) {
            return f.placement() == p;
        }
        if (t instanceof StructType s) {
            return s.fields().stream().allMatch(f -> placedAt(f.type(), p));
        }
        return false;
    }
}
