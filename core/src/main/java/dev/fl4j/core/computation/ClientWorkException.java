package dev.fl4j.core.computation;

/**
 * Work on one client failed inside an intrinsic. The message names the intrinsic, the client (id and
 * position) and the cause; the intrinsic's result is discarded, so nothing is half-applied.
 */
public class ClientWorkException extends RuntimeException {

    private final String intrinsic;
    private final int clientIndex;
    private final String clientId;

    public ClientWorkException(String intrinsic, int clientIndex, String clientId, Throwable cause) {
        super(intrinsic + ": client " + clientId + " (#" + clientIndex + ") failed: " + cause, cause);
        this.intrinsic = intrinsic;
        this.clientIndex = clientIndex;
        this.clientId = clientId;
    }

    public String intrinsic() {
        return intrinsic;
    }

    public int clientIndex() {
        return clientIndex;
    }

    public String clientId() {
        return clientId;
    }
}
