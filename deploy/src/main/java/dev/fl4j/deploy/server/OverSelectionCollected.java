package dev.fl4j.deploy.server;

/**
 * Ends a client's part in an over-selecting round attempt once the round has the results it needs
 * (or its deadline passed): the attempt folds nothing, and the round runs again over the clients
 * that counted ({@link RemoteRuntime}).
 */
final class OverSelectionCollected extends RuntimeException {

    OverSelectionCollected(String clientId) {
        super("over-selection: client " + clientId + "'s part in the collecting attempt is over", null, false, false);
    }
}
