package dev.fl4j.deploy;

import dev.fl4j.deploy.client.FederatedClient;

/** A deployed client in a JVM of its own: {@code SERVER INDEX MODE}; exits 0 when the run finishes. */
public final class ClientProcessMain {

    private ClientProcessMain() {}

    public static void main(String[] args) throws Exception {
        try (FederatedClient client = DeployFixture.client(args[0], Integer.parseInt(args[1]))) {
            client.run();
        }
        System.exit(0);
    }
}
