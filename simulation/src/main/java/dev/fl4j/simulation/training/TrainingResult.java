package dev.fl4j.simulation.training;

import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link TrainingLoop} run ends with.
 *
 * @param state          the final process state
 * @param model          the final global model
 * @param rounds         rounds completed in total (including those before a resume)
 * @param resumedFrom    the round of the checkpoint the run resumed from, or -1 if it started afresh
 * @param communication  cumulative training-process bits over all rounds, including before a resume
 * @param history        every round's metrics, oldest first (from the checkpoint when resumed)
 * @param wallTime       time this invocation took
 */
public record TrainingResult(
        Value state,
        ModelWeights model,
        int rounds,
        int resumedFrom,
        CommunicationSnapshot communication,
        List<RoundRecord> history,
        Duration wallTime) {

    public TrainingResult {
        history = List.copyOf(history);
    }

    /** The last recorded value of {@code metric}, if any round recorded it. */
    public Optional<Double> last(String metric) {
        for (int i = history.size() - 1; i >= 0; i--) {
            Map<String, Double> m = history.get(i).metrics();
            if (m.containsKey(metric)) {
                return Optional.of(m.get(metric));
            }
        }
        return Optional.empty();
    }
}
