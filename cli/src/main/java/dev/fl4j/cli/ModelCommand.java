package dev.fl4j.cli;

import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fl4j model}: commands about models; {@code fl4j model describe NAME|FILE} prints Keras's summary. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Commands about models.",
        subcommands = {ModelCommand.Describe.class})
final class ModelCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code fl4j model describe NAME|FILE}: Keras's {@code model.summary()} of a built-in model (for its
     * usual data set: 28×28×1 images, or LEAF Shakespeare's 80 characters for {@code lstm}) or of a
     * model-spec file, read by the same code as {@code --model}. Exit 0 with the table, 2 for a name or
     * file it cannot read (the message says why).
     */
    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = {
                "Prints a Keras-style summary of a model: each layer's output shape and parameters, then the"
                        + " total, trainable and non-trainable parameters.",
                "NAME is a built-in model (fedavg-cnn, 2nn, softmax, lstm); FILE a model-spec JSON file, as for"
                        + " --model."
            })
    static final class Describe implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME|FILE", description = "A built-in model or a model-spec file.")
        String model;

        @Option(
                names = "--classes",
                paramLabel = "N",
                description = "Classes of a built-in model's output (not for lstm). Default: 10 (MNIST).")
        Integer classes;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                if (classes != null && classes < 1) {
                    throw new IllegalArgumentException("--classes must be at least 1, got " + classes);
                }
                ModelChoice choice = ModelChoice.isFile(model)
                        ? ModelChoice.fromFile(java.nio.file.Path.of(model), null)
                        : ModelChoice.of(model, usualData(model, classes));
                out.print(choice.spec().summary());
                out.flush();
                return 0;
            } catch (IllegalArgumentException e) {
                out.flush();
                err.println("fl4j model describe: " + e.getMessage());
                err.flush();
                return 2;
            }
        }

        /** The data a built-in model is usually trained on, for its input and output sizes. */
        private static ModelChoice.Data usualData(String model, Integer classes) {
            boolean characters = model.trim().equalsIgnoreCase("lstm");
            if (characters && classes != null) {
                throw new IllegalArgumentException(
                        "--classes does not apply to lstm: its output is the 86" + " characters of LEAF Shakespeare");
            }
            TensorType x = characters ? new TensorType(DType.INT32, 80) : new TensorType(DType.FLOAT32, 28, 28, 1);
            int n = characters ? 86 : classes != null ? classes : 10;
            String name = characters ? "leaf-shakespeare" : "28×28×1 images with " + n + " classes";
            return new ModelChoice.Data() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TensorType exampleX() {
                    return x;
                }

                @Override
                public int classes() {
                    return n;
                }

                @Override
                public boolean characters() {
                    return characters;
                }
            };
        }
    }
}
