/**
 * Deployment security building blocks: a development PKI and signed, replay-proof request envelopes.
 * Transport-neutral: it signs and verifies byte arrays, and knows nothing of gRPC.
 */
module dev.fl4j.deploy.security {
    requires transitive dev.fl4j.core;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;

    exports dev.fl4j.deploy.security;
}
