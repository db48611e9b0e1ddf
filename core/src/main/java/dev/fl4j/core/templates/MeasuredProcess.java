package dev.fl4j.core.templates;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.runtime.FederatedRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TFF's {@code MeasuredProcess}: an iterative process whose {@code next(state, input)} returns
 * {@code <state=..,result=..,measurements=..>} ({@link MeasuredProcessOutput}). Checked when built
 * ({@link NotMeasuredProcessOutputException} otherwise).
 *
 * <p>Measured processes compose: {@link #chain} feeds each process's result to the next one's input
 * (TFF's {@code chain_measured_processes}), {@link #concatenate} runs processes side by side on the
 * fields of a structured input (TFF's {@code concatenate_measured_processes}). In both, the state
 * and the measurements are structures named after the parts.
 */
public class MeasuredProcess extends IterativeProcess {

    public MeasuredProcess(FederatedComputation initialize, FederatedComputation next) {
        super(initialize, next);
        Type result = next.type().result();
        if (!(result instanceof StructType s)
                || s.size() != 3
                || !s.has("state")
                || !s.has("result")
                || !s.has("measurements")) {
            throw new NotMeasuredProcessOutputException(
                    "next '" + next.name() + "' must return <state=..,result=..,measurements=..> but returns " + result
                            + "; wrap the output in a MeasuredProcessOutput");
        }
    }

    /** The type of {@code next}'s input (its second parameter). */
    public Type inputType() {
        Type param = nextComputation().type().parameter();
        if (param instanceof StructType s && s.size() >= 2) {
            return s.get(1);
        }
        throw new NextArgumentCountException(
                "next '" + nextComputation().name() + "' takes " + param + ", no input after the state");
    }

    /** The type of the result of {@code next}. */
    public Type resultType() {
        return ((StructType) nextComputation().type().result()).get("result");
    }

    /** The type of the measurements of {@code next}. */
    public Type measurementsType() {
        return ((StructType) nextComputation().type().result()).get("measurements");
    }

    /** Runs {@code next(state, args...)} on the current runtime. */
    @Override
    public MeasuredProcessOutput next(Value state, Value... args) {
        return MeasuredProcessOutput.from(super.next(state, args));
    }

    /** Runs {@code next(state, args...)} on {@code runtime}. */
    public MeasuredProcessOutput next(FederatedRuntime runtime, Value state, Value... args) {
        return MeasuredProcessOutput.from(runtime.invoke(nextComputation(), prepend(state, args)));
    }

    /**
     * Chains processes in order: the first takes the input, each next takes the previous result,
     * the last's result is the chain's result. Fails with {@link ProcessCompositionException} naming
     * the pair that does not fit.
     */
    public static MeasuredProcess chain(Map<String, ? extends MeasuredProcess> processes) {
        List<String> names = checkParts("chain", processes);
        List<MeasuredProcess> parts = new ArrayList<>(processes.values());
        for (int i = 1; i < parts.size(); i++) {
            Type produced = parts.get(i - 1).resultType();
            Type expected = parts.get(i).inputType();
            if (!expected.isAssignableFrom(produced)) {
                throw new ProcessCompositionException(
                        "cannot chain '" + names.get(i - 1) + "' -> '" + names.get(i) + "': '" + names.get(i - 1)
                                + "' produces " + produced + " but '" + names.get(i) + "' expects " + expected);
            }
        }
        Type stateType = namedStruct(names, parts, IterativeProcess::stateType);
        Type inputType = parts.get(0).inputType();
        Type resultType = parts.get(parts.size() - 1).resultType();
        Type measurementsType = namedStruct(names, parts, MeasuredProcess::measurementsType);
        FederatedComputation init = initializeAll("chain", names, parts, stateType);
        FederatedComputation next = FederatedComputation.of(
                "chain_next",
                StructType.builder()
                        .add("state", stateType)
                        .add("value", inputType)
                        .build(),
                outputType(stateType, resultType, measurementsType),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    Struct state = (Struct) a.get("state");
                    Value current = a.get("value");
                    Struct.Builder states = Struct.builder();
                    Struct.Builder measurements = Struct.builder();
                    for (int i = 0; i < parts.size(); i++) {
                        MeasuredProcessOutput out = MeasuredProcessOutput.from(ctx.invoke(
                                parts.get(i).nextComputation(), Struct.of(state.get(names.get(i)), current)));
                        states.add(names.get(i), out.state());
                        measurements.add(names.get(i), out.measurements());
                        current = out.result();
                    }
                    return new MeasuredProcessOutput(states.build(), current, measurements.build());
                });
        return new MeasuredProcess(init, next);
    }

    /**
     * Runs processes side by side: the input is a structure with one field per process (named as
     * the processes), and so are the result, state and measurements.
     */
    public static MeasuredProcess concatenate(Map<String, ? extends MeasuredProcess> processes) {
        List<String> names = checkParts("concatenate", processes);
        List<MeasuredProcess> parts = new ArrayList<>(processes.values());
        Type stateType = namedStruct(names, parts, IterativeProcess::stateType);
        Type inputType = namedStruct(names, parts, MeasuredProcess::inputType);
        Type resultType = namedStruct(names, parts, MeasuredProcess::resultType);
        Type measurementsType = namedStruct(names, parts, MeasuredProcess::measurementsType);
        FederatedComputation init = initializeAll("concatenate", names, parts, stateType);
        FederatedComputation next = FederatedComputation.of(
                "concatenate_next",
                StructType.builder()
                        .add("state", stateType)
                        .add("value", inputType)
                        .build(),
                outputType(stateType, resultType, measurementsType),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    Struct state = (Struct) a.get("state");
                    Struct input = (Struct) a.get("value");
                    Struct.Builder states = Struct.builder();
                    Struct.Builder results = Struct.builder();
                    Struct.Builder measurements = Struct.builder();
                    for (int i = 0; i < parts.size(); i++) {
                        String name = names.get(i);
                        MeasuredProcessOutput out = MeasuredProcessOutput.from(ctx.invoke(
                                parts.get(i).nextComputation(), Struct.of(state.get(name), input.get(name))));
                        states.add(name, out.state());
                        results.add(name, out.result());
                        measurements.add(name, out.measurements());
                    }
                    return new MeasuredProcessOutput(states.build(), results.build(), measurements.build());
                });
        return new MeasuredProcess(init, next);
    }

    private static List<String> checkParts(String how, Map<String, ? extends MeasuredProcess> processes) {
        if (processes.isEmpty()) {
            throw new ProcessCompositionException(how + ": no processes given");
        }
        List<String> names = new ArrayList<>(processes.keySet());
        for (Map.Entry<String, ? extends MeasuredProcess> e : processes.entrySet()) {
            Type param = e.getValue().nextComputation().type().parameter();
            if (!(param instanceof StructType s) || s.size() != 2) {
                throw new ProcessCompositionException(how + ": '" + e.getKey() + "' has next "
                        + e.getValue().nextComputation().type()
                        + "; only processes whose next takes (state, input) compose");
            }
        }
        return names;
    }

    private static Type namedStruct(
            List<String> names, List<MeasuredProcess> parts, java.util.function.Function<MeasuredProcess, Type> part) {
        StructType.Builder b = StructType.builder();
        for (int i = 0; i < parts.size(); i++) {
            b.add(names.get(i), part.apply(parts.get(i)));
        }
        return b.build();
    }

    private static FederatedComputation initializeAll(
            String how, List<String> names, List<MeasuredProcess> parts, Type stateType) {
        return FederatedComputation.noArg(how + "_initialize", stateType, (ctx, arg) -> {
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < parts.size(); i++) {
                b.add(names.get(i), ctx.invoke(parts.get(i).initializeComputation(), null));
            }
            return b.build();
        });
    }

    /** {@code <state=S,result=R,measurements=M>}. */
    public static StructType outputType(Type state, Type result, Type measurements) {
        return StructType.builder()
                .add("state", state)
                .add("result", result)
                .add("measurements", measurements)
                .build();
    }

    /** Processes by name, in the order given: {@code named("a", p, "b", q)}. */
    public static Map<String, MeasuredProcess> named(Object... nameThenProcess) {
        Map<String, MeasuredProcess> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < nameThenProcess.length; i += 2) {
            m.put((String) nameThenProcess[i], (MeasuredProcess) nameThenProcess[i + 1]);
        }
        if (nameThenProcess.length % 2 != 0) {
            throw new IllegalArgumentException("named(...) takes name, process pairs");
        }
        return m;
    }
}
