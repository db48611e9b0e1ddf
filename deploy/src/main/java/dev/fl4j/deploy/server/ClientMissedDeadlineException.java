package dev.fl4j.deploy.server;

/** A selected client did not return an accepted result before its round's deadline. */
public final class ClientMissedDeadlineException extends RuntimeException {

    private final String clientId;

    public ClientMissedDeadlineException(String clientId, int round, long timeoutMillis) {
        super("client " + clientId + " sent no accepted result for round " + round + " within the round timeout of "
                + timeoutMillis + " ms");
        this.clientId = clientId;
    }

    public String clientId() {
        return clientId;
    }
}
