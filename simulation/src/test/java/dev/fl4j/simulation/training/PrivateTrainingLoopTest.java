package dev.fl4j.simulation.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.Aggregators;
import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.simulation.checkpoint.CheckpointException;
import dev.fl4j.simulation.checkpoint.CheckpointMismatchException;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training loop given a DP aggregator samples as its accountant assumes, releases only what ε covers, and resumes
 * without forgetting budget.
 */
class PrivateTrainingLoopTest {

    @TempDir
    Path tmp;

    /** Records the cohorts and the privacy statement a run shows its listener. */
    static final class Recorder implements RoundListener {
        final List<Cohort> cohorts = new ArrayList<>();
        final List<String> statements = new ArrayList<>();

        @Override
        public void privacy(String statement) {
            statements.add(statement);
        }

        @Override
        public void roundStarted(Cohort cohort) {
            cohorts.add(cohort);
        }
    }

    @Test
    void aProcessWithADpAggregatorIsRefusedWithoutOptPrivacy() {
        DifferentiallyPrivateFactory dp = SmallRun.dp(1e-5, Double.POSITIVE_INFINITY);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SmallRun.loop(
                                SmallRun.process(Aggregators.dpAggregator()
                                        .setMechanism(dp)
                                        .build()),
                                2,
                                1,
                                0,
                                1)
                        .build());
        assertTrue(e.getMessage().contains("optPrivacy"), e.getMessage());
    }

    @Test
    void clientsArePoissonSampledAtTheAccountantsRateFromSecureRandomNotTheSeed() {
        DifferentiallyPrivateFactory dp = DifferentiallyPrivateFactory.gaussianFixed(0.5, 1, 1.0).toBuilder()
                .optPopulation(SmallRun.CLIENTS)
                .build();
        assertEquals(0.05, dp.samplingRate());
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        int rounds = 30;
        TrainingResult r = SmallRun.loop(SmallRun.process(dp), rounds, 7, 0, 1)
                .setClientsPerRound(1)
                .optPrivacy(dp)
                .optListener(first)
                .build()
                .run();
        SmallRun.loop(SmallRun.process(dp), rounds, 7, 0, 1)
                .setClientsPerRound(1)
                .optPrivacy(dp)
                .optListener(second)
                .build()
                .run();

        assertEquals(rounds, r.rounds());
        assertEquals(
                rounds,
                r.last("aggregator/privacy/rounds").orElseThrow(),
                "every round is a noised release, empty ones too");
        assertTrue(
                first.cohorts.stream().anyMatch(c -> c.sampled().isEmpty()),
                "P(no client) = 0.95^20 per round; some round had none");
        assertTrue(
                first.cohorts.stream().anyMatch(c -> c.sampled().size() > 1),
                "the cohort size is random, not the fixed 1");
        assertNotEquals(first.cohorts, second.cohorts, "the same seed does not predict who takes part");
        ClientSampler seeded = new ClientSampler(SmallRun.data().clientIds(), 1, 0, 7);
        assertFalse(
                first.cohorts.stream()
                        .allMatch(
                                c -> c.sampled().equals(seeded.sample(c.round()).sampled())),
                "not the seeded cohorts");
        assertTrue(
                first.statements
                        .get(0)
                        .startsWith("privacy: poisson sampling q=0.05, noise multiplier 0.5, delta 1.0E-5"),
                first.statements.toString());
    }

    @Test
    void onlyWhatEpsilonCoversIsReleased() {
        Recorder listener = new Recorder();
        DifferentiallyPrivateFactory dp = SmallRun.dp(1e-5, Double.POSITIVE_INFINITY);
        TrainingResult r = SmallRun.loop(
                        SmallRun.process(
                                Aggregators.dpAggregator().setMechanism(dp).build()),
                        3,
                        1,
                        0.2,
                        1)
                .optPrivacy(dp)
                .optListener(listener)
                .build()
                .run();
        for (RoundRecord rec : r.history()) {
            for (String key : rec.metrics().keySet()) {
                assertTrue(
                        key.startsWith("aggregator/")
                                && (key.contains("/privacy/") || key.contains("/dp_query_metrics/")),
                        "round " + rec.round() + " released " + key + ", which epsilon does not cover");
            }
            assertTrue(
                    rec.metrics().containsKey("aggregator/zeroing/privacy/epsilon"),
                    rec.metrics().toString());
        }
        assertEquals(
                0,
                r.communication().broadcastBits() + r.communication().aggregatedBits(),
                "bit counts reveal the cohort size");
        String statement = listener.statements.get(0);
        for (String word : List.of(
                "training metrics",
                TrainingLoop.CLIENTS_REPORTING,
                TrainingLoop.CLIENTS_SAMPLED,
                "bit counts",
                "not reproducible")) {
            assertTrue(statement.contains(word), statement);
        }
    }

    @Test
    void aResumeWithOtherPrivacySettingsIsRefused() {
        Path dir = tmp.resolve("ckpt");
        SmallRun.privateCheckpointed(dir, 2, SmallRun.dp(1e-5, 50)).build().run();
        CheckpointMismatchException delta = assertThrows(
                CheckpointMismatchException.class,
                () -> SmallRun.privateCheckpointed(dir, 3, SmallRun.dp(1e-6, 50))
                        .build()
                        .run());
        assertTrue(delta.getMessage().contains("privacy.delta: 1.0E-5 → 1.0E-6"), delta.getMessage());
        CheckpointMismatchException budget = assertThrows(
                CheckpointMismatchException.class,
                () -> SmallRun.privateCheckpointed(dir, 3, SmallRun.dp(1e-5, 80))
                        .build()
                        .run());
        assertTrue(budget.getMessage().contains("privacy.epsilon-budget: 50.0 → 80.0"), budget.getMessage());
        TrainingResult same = SmallRun.privateCheckpointed(dir, 3, SmallRun.dp(1e-5, 50))
                .build()
                .run();
        assertEquals(2, same.resumedFrom());
        assertEquals(3, same.last("aggregator/zeroing/privacy/rounds").orElseThrow());
    }

    @Test
    void aPrivateRunWithoutItsLedgerDoesNotResume() throws Exception {
        Path dir = tmp.resolve("ckpt");
        SmallRun.privateCheckpointed(dir, 2, SmallRun.dp(1e-5, Double.POSITIVE_INFINITY))
                .build()
                .run();
        Path ledger = dir.resolve(PrivacyLedgerFile.FILE_NAME);
        assertEquals("fl4j.privacy_ledger 1\nspent=2\n", Files.readString(ledger));
        Files.delete(ledger);
        CheckpointException e = assertThrows(
                CheckpointException.class,
                () -> SmallRun.privateCheckpointed(dir, 3, SmallRun.dp(1e-5, Double.POSITIVE_INFINITY))
                        .build()
                        .run());
        assertTrue(e.getMessage().contains("is missing") && e.getMessage().contains("forget budget"), e.getMessage());

        Path leftover = dir.resolve("." + PrivacyLedgerFile.FILE_NAME + ".k3j9.tmp");
        Files.writeString(leftover, "fl4j.privacy_ledger 1\nsp");
        Files.writeString(ledger, "fl4j.privacy_ledger 1\nspent=two\n");
        e = assertThrows(
                CheckpointException.class,
                () -> SmallRun.privateCheckpointed(dir, 3, SmallRun.dp(1e-5, Double.POSITIVE_INFINITY)));
        assertTrue(e.getMessage().contains("'two' is not a whole number"), e.getMessage());
        assertFalse(
                Files.exists(leftover), "the temporary file of a killed write is removed when the ledger is opened");
    }

    @Test
    void aPrivateRunIsConfiguredAsItsAccountantAssumes() {
        DifferentiallyPrivateFactory dp = SmallRun.dp(1e-5, Double.POSITIVE_INFINITY);
        CheckpointStore store = new CheckpointStore(tmp.resolve("ckpt"));
        DifferentiallyPrivateFactory ledgered =
                dp.toBuilder().optLedger(PrivacyLedgerFile.in(store)).build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SmallRun.loop(SmallRun.process(dp), 2, 1, 0, 1)
                        .optCheckpoints(store, 1, SmallRun.config(1, 0))
                        .optPrivacy(dp)
                        .build());
        assertTrue(e.getMessage().contains("optLedger(PrivacyLedgerFile.in(store))"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> SmallRun.loop(SmallRun.process(ledgered), 2, 1, 0, 1)
                        .optCheckpoints(store, 2, SmallRun.config(1, 0))
                        .optPrivacy(ledgered)
                        .build());
        assertTrue(e.getMessage().contains("checkpoints every round"), e.getMessage());
        DifferentiallyPrivateFactory otherPopulation =
                DifferentiallyPrivateFactory.gaussianAdaptive(0.3, SmallRun.PER_ROUND).toBuilder()
                        .optPopulation(100)
                        .build();
        e = assertThrows(
                IllegalArgumentException.class,
                () -> SmallRun.loop(SmallRun.process(otherPopulation), 2, 1, 0, 1)
                        .optPrivacy(otherPopulation)
                        .build());
        assertTrue(e.getMessage().contains("optPopulation(" + SmallRun.CLIENTS + ")"), e.getMessage());
    }
}
