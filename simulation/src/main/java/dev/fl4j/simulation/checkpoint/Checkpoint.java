package dev.fl4j.simulation.checkpoint;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.simulation.provenance.Provenance;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a training run needs to continue after round {@code round} exactly as if it had never
 * stopped: the learning process's state (with placements removed, see {@link ServerStates}), the
 * cumulative communication counters, the configuration it belongs to, the metrics history, and the
 * state the runtime keeps for each client (error-feedback residuals of a stateful encoder; see
 * {@link dev.fl4j.core.runtime.ClientStateStore}). Nothing random has to be kept: every draw of a
 * round derives from the run seed and the round — except in a differentially private run, whose
 * sampling and noise come from {@code SecureRandom} and are not reproducible by design; what such a
 * run must not lose, the count of noised rounds spent, is kept in its state and, written before each
 * release, in a {@link PrivacyLedgerFile} beside the checkpoints.
 *
 * @param round           rounds completed (0 = the initial state)
 * @param state           the process state without placements: server values replaced by their contents
 * @param broadcastedBits cumulative bits broadcast to clients by the training process
 * @param aggregatedBits  cumulative bits aggregated from clients by the training process
 * @param config          the run's configuration; its fingerprint must match on resume
 * @param history         the metrics of every round recorded so far, oldest first
 * @param clientStates    the runtime's {@linkplain dev.fl4j.core.runtime.ClientStateStore#snapshot() client states}
 *                        (an empty structure when no client keeps state)
 * @param provenance      what wrote the checkpoint (none in files of format version 2 and older, or when the writer
 *                        gave none; {@link CheckpointStore#withProvenance} stamps it on every checkpoint a run saves)
 */
public record Checkpoint(
        int round,
        Value state,
        long broadcastedBits,
        long aggregatedBits,
        RunConfig config,
        List<RoundRecord> history,
        Value clientStates,
        Optional<Provenance> provenance) {

    public Checkpoint {
        if (round < 0) {
            throw new IllegalArgumentException("round must not be negative, got " + round);
        }
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(config, "config");
        if (broadcastedBits < 0 || aggregatedBits < 0) {
            throw new IllegalArgumentException(
                    "bit counters must not be negative, got " + broadcastedBits + " and " + aggregatedBits);
        }
        history = List.copyOf(history);
        Objects.requireNonNull(clientStates, "clientStates");
        Objects.requireNonNull(provenance, "provenance");
    }

    /** A checkpoint that records no provenance. */
    public Checkpoint(
            int round,
            Value state,
            long broadcastedBits,
            long aggregatedBits,
            RunConfig config,
            List<RoundRecord> history,
            Value clientStates) {
        this(round, state, broadcastedBits, aggregatedBits, config, history, clientStates, Optional.empty());
    }

    /**
     * The global model of this checkpoint: the {@code global_model_weights} of its state, as every
     * learning process of fl4j keeps it.
     *
     * @throws IllegalArgumentException if the state holds no model weights (a process of another kind)
     */
    public dev.fl4j.learning.model.ModelWeights modelWeights() {
        if (!(state instanceof Struct s) || !s.has("global_model_weights")) {
            throw new IllegalArgumentException(
                    "the checkpoint's state " + state.type() + " holds no global_model_weights");
        }
        return dev.fl4j.learning.model.ModelWeights.fromStruct(s.get("global_model_weights"));
    }

    /** This checkpoint recording {@code provenance}. */
    public Checkpoint withProvenance(Provenance provenance) {
        return new Checkpoint(
                round, state, broadcastedBits, aggregatedBits, config, history, clientStates, Optional.of(provenance));
    }

    /** A checkpoint of a run whose clients keep no state. */
    public Checkpoint(
            int round,
            Value state,
            long broadcastedBits,
            long aggregatedBits,
            RunConfig config,
            List<RoundRecord> history) {
        this(round, state, broadcastedBits, aggregatedBits, config, history, Struct.empty());
    }
}
