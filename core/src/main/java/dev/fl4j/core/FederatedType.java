package dev.fl4j.core;

/**
 * The type of a federated value: a member type, a {@link Placement}, and whether all members are
 * equal. Printed as TFF prints it: {@code float32@SERVER} and {@code int32@CLIENTS} for all-equal
 * values, {@code {float32*}@CLIENTS} for values that differ from client to client. A server value
 * is always all-equal.
 */
public record FederatedType(Type member, Placement placement, boolean allEqual) implements TypeOf<FederatedValue> {

    public FederatedType {
        if (member == null || placement == null) {
            throw new IllegalArgumentException("federated type needs a member type and a placement");
        }
        if (member instanceof FederatedType) {
            throw new IllegalArgumentException("federated types do not nest: " + member);
        }
        if (placement == Placement.SERVER && !allEqual) {
            throw new IllegalArgumentException("a SERVER value is always all_equal");
        }
    }

    /** {@code member@SERVER}. */
    public static FederatedType server(Type member) {
        return new FederatedType(member, Placement.SERVER, true);
    }

    /** {@code {member}@CLIENTS}: one value per client. */
    public static FederatedType clients(Type member) {
        return new FederatedType(member, Placement.CLIENTS, false);
    }

    /** {@code member@CLIENTS}: the same value on every client. */
    public static FederatedType clientsAllEqual(Type member) {
        return new FederatedType(member, Placement.CLIENTS, true);
    }

    @Override
    public boolean isAssignableFrom(Type other) {
        if (!(other instanceof FederatedType f) || f.placement != placement) {
            return false;
        }
        if (allEqual && !f.allEqual) {
            return false;
        }
        return member.isAssignableFrom(f.member);
    }

    /** A typed computation body for this type receives a {@link FederatedValue}. */
    @Override
    public Class<FederatedValue> valueClass() {
        return FederatedValue.class;
    }

    @Override
    public String toString() {
        return (allEqual ? member.toString() : "{" + member + "}") + "@" + placement;
    }
}
