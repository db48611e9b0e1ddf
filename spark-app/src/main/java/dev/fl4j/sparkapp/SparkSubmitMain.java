package dev.fl4j.sparkapp;

import dev.fl4j.cli.Fl4j;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class of fl4j's application jar for {@code spark-submit}: runs {@code fl4j simulate}
 * with the given options, its client work on the Spark master {@code spark-submit} was given.
 *
 * <pre>{@code
 * spark-submit --master spark://HOST:7077 --class dev.fl4j.sparkapp.SparkSubmitMain \
 *     spark-app/target/fl4j-spark-app.jar --dataset synthetic:1,1 --rounds 3
 * }</pre>
 *
 * <p>Every option of {@code fl4j simulate} is accepted. Without {@code --runtime}, the runtime is
 * {@code spark:MASTER} with the master of the submission (the {@code spark.master} property
 * {@code spark-submit} sets), so the Spark context is made with the submission's configuration
 * ({@code --conf} values, such as {@code spark.fl4j.stateDir} for client state). The process ends
 * with {@code simulate}'s exit status when it is not 0.
 */
public final class SparkSubmitMain {

    private SparkSubmitMain() {}

    public static void main(String[] args) {
        int status = Fl4j.commandLine().execute(simulateArguments(args, System.getProperty("spark.master")));
        if (status != 0) {
            System.exit(status);
        }
    }

    /** {@code simulate} and {@code args}, with {@code --runtime spark:MASTER} unless they name a runtime. */
    static String[] simulateArguments(String[] args, String master) {
        List<String> out = new ArrayList<>();
        out.add("simulate");
        boolean runtime = false;
        for (String a : args) {
            runtime |= a.equals("--runtime") || a.startsWith("--runtime=");
            out.add(a);
        }
        if (!runtime) {
            out.add("--runtime");
            out.add(master == null ? "spark" : "spark:" + master);
        }
        return out.toArray(new String[0]);
    }
}
