package dev.fl4j.deploy;

import dev.fl4j.deploy.client.FederatedClient;
import java.util.Optional;

/**
 * A deployed client in a JVM of its own: {@code SERVER INDEX MODE}. Mode {@code normal} works until
 * the run finishes (exit 0); {@code die-after-pull} registers, takes its first task and halts the JVM
 * at once, as a client killed mid-round would (exit 3); {@code stop-after:N} works until N of its
 * results were accepted, then stops (exit 0), as a client shut down between rounds would. An optional
 * fourth argument is the client's state directory.
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
        java.nio.file.Path stateDir = args.length > 3 ? java.nio.file.Path.of(args[3]) : null;
        if (args[2].startsWith("stop-after:")) {
            int n = Integer.parseInt(args[2].substring("stop-after:".length()));
            try (FederatedClient client =
                    DeployFixture.client(server, k, stateDir).start()) {
                while (client.tasksDone() < n) {
                    Thread.sleep(5);
                }
            }
            System.exit(0);
        }
        try (FederatedClient client = DeployFixture.client(server, k, stateDir)) {
            client.run();
        }
        System.exit(0);
    }
}
