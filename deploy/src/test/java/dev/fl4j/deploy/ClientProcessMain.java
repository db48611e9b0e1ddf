package dev.fl4j.deploy;

import dev.fl4j.deploy.client.FederatedClient;
import java.util.Optional;

/**
 * A deployed client in a JVM of its own: {@code SERVER INDEX MODE}. Mode {@code normal} works until
 * the run finishes (exit 0); {@code die-after-pull} registers, takes its first task and halts the JVM
 * at once, as a client killed mid-round would (exit 3).
 */
public final class ClientProcessMain {

    private ClientProcessMain() {}

    public static void main(String[] args) throws Exception {
        String server = args[0];
        int k = Integer.parseInt(args[1]);
        if (args[2].equals("die-after-pull")) {
            RawFleetClient raw = new RawFleetClient(server);
            String id = DeployFixture.data().clientIds().get(k);
            raw.register(id);
            Optional<RawFleetClient.PulledTask> task = Optional.empty();
            while (task.isEmpty()) {
                raw.heartbeat(id);
                task = raw.pull(RawFleetClient.header(id));
            }
            Runtime.getRuntime().halt(3);
        }
        try (FederatedClient client = DeployFixture.client(server, k)) {
            client.run();
        }
        System.exit(0);
    }
}
