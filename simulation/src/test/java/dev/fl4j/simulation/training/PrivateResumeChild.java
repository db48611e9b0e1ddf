package dev.fl4j.simulation.training;

import java.nio.file.Path;
import java.util.Map;

/**
 * The child process of {@link KilledPrivateRunResumeTest}: a differentially private {@link SmallRun}
 * checkpointed every round. After round {@code holdRound} is released (written to the listener,
 * before its checkpoint) it prints {@code released N} and waits, so the parent can kill it there.
 * At the end it prints the spent rounds and ε. Arguments: checkpoint dir, rounds, hold round (-1: none).
 */
public final class PrivateResumeChild {

    static final String ROUNDS_METRIC = "aggregator/zeroing/privacy/rounds";
    static final String EPSILON_METRIC = "aggregator/zeroing/privacy/epsilon";

    private PrivateResumeChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int holdRound = Integer.parseInt(args[2]);
        TrainingResult r = SmallRun.privateCheckpointed(dir, rounds, SmallRun.dp(1e-5, Double.POSITIVE_INFINITY))
                .optListener(new RoundListener() {
                    @Override
                    public void roundFinished(int round, Map<String, Double> metrics) {
                        if (round == holdRound) {
                            System.out.println("released " + round);
                            System.out.flush();
                            try {
                                Thread.sleep(120_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                })
                .build()
                .run();
        System.out.println("resumed from " + r.resumedFrom());
        System.out.println("spent rounds " + r.last(ROUNDS_METRIC).orElseThrow().longValue());
        System.out.println("epsilon " + r.last(EPSILON_METRIC).orElseThrow());
    }
}
