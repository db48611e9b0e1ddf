package dev.fl4j.core.runtime;

/**
 * What a {@link LocalRuntime} was built with besides its workers: where client work may run
 * elsewhere ({@code shipper} for whole passes, {@code dispatcher} per client computation; at most
 * one of the two) and the protocol behind {@code federated_secure_sum_bitwidth}. Each may be null:
 * everything runs on the workers, the secure sum is the plain modular sum.
 */
record RuntimeOptions(ClientWorkShipper shipper, ClientWorkDispatcher dispatcher, SecureSumProtocol secureSum) {

    /** Nothing runs elsewhere; the plain secure sum. */
    static final RuntimeOptions NONE = new RuntimeOptions(null, null, null);

    RuntimeOptions {
        if (shipper != null && dispatcher != null) {
            throw new IllegalArgumentException(
                    "a runtime ships whole passes (a ClientWorkShipper) or dispatches client work per client "
                            + "(a ClientWorkDispatcher), not both");
        }
    }
}
