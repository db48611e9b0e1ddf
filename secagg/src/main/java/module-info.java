/**
 * SecAgg+ secure aggregation (Bonawitz et al. 2017 with the sparse neighbourhoods of Bell et al.
 * 2020) as client and server state machines that exchange versioned byte messages: no transport, no
 * TensorFlow. {@link dev.fl4j.secagg.SecAggPlus} runs the protocol in-process for the local runtime
 * ({@link dev.fl4j.core.runtime.LocalRuntime.Builder#optSecureSum}).
 */
module dev.fl4j.secagg {
    requires transitive dev.fl4j.core;

    exports dev.fl4j.secagg;
}
