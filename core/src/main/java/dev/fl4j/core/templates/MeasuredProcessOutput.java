package dev.fl4j.core.templates;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructContainer;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Value;
import java.util.Objects;

/**
 * What a measured process's {@code next} returns: the new state, the result, and measurements (a
 * structure of named metrics, often at SERVER). It is itself a value of type
 * {@code <state=S,result=R,measurements=M>}, so a federated computation can return it.
 */
public final class MeasuredProcessOutput implements StructContainer {

    private final Value state;
    private final Value result;
    private final Value measurements;

    public MeasuredProcessOutput(Value state, Value result, Value measurements) {
        this.state = Objects.requireNonNull(state, "state");
        this.result = Objects.requireNonNull(result, "result");
        this.measurements = Objects.requireNonNull(measurements, "measurements");
    }

    /** Reads an output from a value of type {@code <state,result,measurements>}. */
    public static MeasuredProcessOutput from(Value value) {
        if (value instanceof MeasuredProcessOutput m) {
            return m;
        }
        if (value instanceof Struct s && s.size() == 3 && s.has("state") && s.has("result") && s.has("measurements")) {
            return new MeasuredProcessOutput(s.get("state"), s.get("result"), s.get("measurements"));
        }
        throw new NotMeasuredProcessOutputException(
                "expected <state=..,result=..,measurements=..> but got " + value.type());
    }

    public Value state() {
        return state;
    }

    public Value result() {
        return result;
    }

    public Value measurements() {
        return measurements;
    }

    @Override
    public Struct toStruct() {
        return Struct.named("state", state, "result", result, "measurements", measurements);
    }

    /**
     * An output made of {@code fields}, which are named {@code state}, {@code result} and {@code measurements}.
     *
     * @throws NotMeasuredProcessOutputException if they are not
     */
    @Override
    public MeasuredProcessOutput withFields(Struct fields) {
        return from(fields);
    }

    @Override
    public StructType type() {
        return toStruct().type();
    }

    @Override
    public long sizeInBits() {
        return toStruct().sizeInBits();
    }

    @Override
    public String toString() {
        return toStruct().toString();
    }
}
