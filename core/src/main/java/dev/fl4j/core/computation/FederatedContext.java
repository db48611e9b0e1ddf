package dev.fl4j.core.computation;

import dev.fl4j.core.AllEqualClientValue;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;

/**
 * The intrinsics a federated computation's body may use: the only way values move between
 * {@link Placement#SERVER} and {@link Placement#CLIENTS}. A runtime implements them, and because
 * every crossing goes through here, the runtime is where communication is counted (broadcast bits
 * SERVER→CLIENTS, aggregated bits CLIENTS→SERVER, as the values are encoded when they cross).
 *
 * <p>Each intrinsic checks its arguments' types and placements and throws
 * {@link dev.fl4j.core.TypeMismatchException} naming the intrinsic, the expected and the
 * actual type. Work that fails on a client throws {@link ClientWorkException} naming the intrinsic
 * and the client; the intrinsic then returns nothing.
 *
 * <p>A runtime may defer client work and the aggregations over it until a server value computed from
 * them is needed, to fold each client's result as it finishes in bounded memory (the local runtime
 * does, see {@link dev.fl4j.core.runtime.LocalRuntime}); value checks and client failures then
 * surface when the value is needed or when the computation returns, and every aggregation of a
 * client map must be created before a server value computed from that map is read.
 */
public interface FederatedContext {

    /** {@code federated_broadcast}: {@code T@SERVER -> T@CLIENTS}. */
    FederatedValue federatedBroadcast(FederatedValue serverValue);

    /**
     * {@code federated_map}: applies {@code fn} to each client's member ({@code {T}@CLIENTS ->
     * {U}@CLIENTS}, on the worker pool), or to the server's value ({@code T@SERVER -> U@SERVER},
     * TFF's {@code federated_apply}).
     */
    FederatedValue federatedMap(LocalComputation fn, FederatedValue value);

    /** {@code federated_sum}: {@code {T}@CLIENTS -> T@SERVER}, numeric tensors leaf by leaf. */
    FederatedValue federatedSum(FederatedValue clientValue);

    /** {@code federated_mean}: {@code {T}@CLIENTS -> T@SERVER}, floating tensors, unweighted. */
    FederatedValue federatedMean(FederatedValue clientValue);

    /**
     * {@code federated_mean} with a weight: {@code <{T}@CLIENTS, {float32}@CLIENTS> -> T@SERVER},
     * Σ wᵢ·vᵢ / Σ wᵢ. Every weight must be finite and {@code >= 0}; a negative, infinite or NaN
     * weight is refused with an exception naming the client.
     */
    FederatedValue federatedMean(FederatedValue clientValue, FederatedValue clientWeight);

    /** {@code federated_aggregate}: a streaming reduction of client values to a server value. */
    <A> FederatedValue federatedAggregate(FederatedValue clientValue, Aggregation<A> aggregation);

    /**
     * {@code federated_secure_sum_bitwidth}: integer tensors whose elements lie in
     * [0, 2^bitwidth) summed modulo 2^bitwidth; the server learns only the sum, in the values'
     * dtype. The bitwidth is at most 62, and at most 31 when a leaf is int32 (so that every sum
     * modulo 2^bitwidth is an int32); a wider one is refused. How the sum is computed is the
     * runtime's: the local runtime sums in the clear by default, or runs a secure-aggregation protocol
     * given to it ({@code dev.fl4j.core.runtime.SecureSumProtocol}), with the same result.
     */
    FederatedValue federatedSecureSumBitwidth(FederatedValue clientValue, int bitwidth);

    /**
     * {@code federated_zip}: a structure of federated values at one placement becomes one federated
     * structure, e.g. {@code <{A}@CLIENTS,{B}@CLIENTS> -> {<A,B>}@CLIENTS}.
     */
    FederatedValue federatedZip(Struct federatedValues);

    /** {@code federated_value}: a non-federated value placed all-equal at {@code placement}. */
    FederatedValue federatedValue(Value value, Placement placement);

    /** {@code federated_eval}: runs a computation without a parameter at {@code placement}. */
    FederatedValue federatedEval(LocalComputation fn, Placement placement);

    /** Runs another federated computation as part of this one, with the same clients. */
    Value invoke(FederatedComputation computation, Value argument);

    /** Selects field {@code name} of a federated structure, where it lives (nothing crosses). */
    default FederatedValue federatedField(FederatedValue value, String name) {
        if (!(value.type().member() instanceof StructType st) || !st.has(name)) {
            throw new TypeMismatchException("federated field '" + name + "' of " + value.type() + ": no such field");
        }
        if (value instanceof ServerValue sv) {
            return new ServerValue(((Struct) sv.value()).get(name));
        }
        if (value instanceof AllEqualClientValue av) {
            return new AllEqualClientValue(((Struct) av.value()).get(name));
        }
        return federatedMap(FieldSelection.of(st, name), value);
    }
}
