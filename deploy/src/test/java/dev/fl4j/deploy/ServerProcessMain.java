package dev.fl4j.deploy;

import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.training.RoundListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The fixture's server in a JVM of its own: {@code PORT DIR ROUNDS}. It keeps its SQLite state and
 * checkpoints in {@code DIR} (resuming from them when started again), prints {@code listening},
 * {@code resumed after round N} and {@code checkpoint N} lines as they happen, and after the run writes
 * the final model's value bytes to {@code DIR/final-model.bin}.
 */
public final class ServerProcessMain {

    private ServerProcessMain() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        try (DeployServer server = DeployFixture.server(DeployFixture.CLIENTS, rounds)
                .optPort(port)
                .optStore(dir.resolve("server.db"))
                .optCheckpoints(new CheckpointStore(dir.resolve("checkpoints")), config())
                .optListener(new RoundListener() {
                    @Override
                    public void resumed(dev.fl4j.simulation.checkpoint.Checkpoint c) {
                        say("resumed after round " + c.round());
                    }

                    @Override
                    public void checkpointSaved(int round, Path file) {
                        say("checkpoint " + round);
                    }
                })
                .build()
                .start()) {
            say("listening on " + server.address().getPort());
            DeployResult r = server.run();
            Files.write(dir.resolve("final-model.bin"), DeployFixture.bytes(r.weights()));
            say("finished " + r.rounds());
        }
        System.exit(0);
    }

    /** The run's configuration, which a resumed server's checkpoints must match. */
    static RunConfig config() {
        return RunConfig.of(Map.of("fixture", "softmax", "seed", String.valueOf(DeployFixture.SEED)));
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
