package dev.fl4j.deploy.server;

import dev.fl4j.secagg.SecAggPlusServer;
import java.util.List;

/**
 * Follows the SecAgg+ sessions of a {@link DeployServer} run with secure aggregation
 * ({@link DeployServer.Builder#optSecureAggregation}), e.g. to log their progress. Called on the
 * round's thread; all methods do nothing by default.
 */
public interface SecAggObserver {

    /**
     * A stage starts: its messages are about to be posted to {@code clients} (the clients still in the
     * session), which fetch them with their next poll.
     */
    default void stageStarted(SecAggPlusServer.Stage stage, List<String> clients) {}

    /** A session unmasked its sum: {@code contributors} of its {@code clients} have their inputs in it. */
    default void finished(int clients, int contributors) {}
}
