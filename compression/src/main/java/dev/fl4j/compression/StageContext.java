package dev.fl4j.compression;

import dev.fl4j.core.Value;
import java.util.Objects;

/**
 * What a stage sees besides its input while encoding one tensor: its seed (derived by the
 * {@link TensorEncoder} from the caller's seed and the stage's position) and its state carried from
 * the previous round, plus a slot for its next state.
 */
public final class StageContext {

    private final long seed;
    private final Value state;
    private Value nextState;

    public StageContext(long seed, Value state) {
        this.seed = seed;
        this.state = Objects.requireNonNull(state, "state");
        this.nextState = state;
    }

    /** The seed every random draw of this stage must derive from. */
    public long seed() {
        return seed;
    }

    /** The stage's state from the previous round (its initial state in the first). */
    public Value state() {
        return state;
    }

    /** Sets the state to carry to the next round; unchanged if never called. */
    public void updateState(Value next) {
        this.nextState = Objects.requireNonNull(next, "next state");
    }

    /** The state to carry to the next round. */
    public Value nextState() {
        return nextState;
    }
}
