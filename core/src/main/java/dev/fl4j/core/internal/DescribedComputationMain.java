package dev.fl4j.core.internal;

import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.ValueCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a described local computation in a fresh JVM, as a Spark executor or a remote client would:
 * {@code java -cp <same jars> dev.fl4j.core.internal.DescribedComputationMain DESCRIPTOR ARGUMENT RESULT}
 * reads the descriptor and the argument (fl4j value format), rebuilds the computation from the
 * descriptor alone, runs it and writes the result.
 */
public final class DescribedComputationMain {

    private DescribedComputationMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: DescribedComputationMain DESCRIPTOR_FILE ARGUMENT_FILE RESULT_FILE");
            System.exit(2);
        }
        ComputationDescriptor descriptor = ComputationDescriptor.fromBytes(Files.readAllBytes(Path.of(args[0])));
        Value argument = ValueCodec.decode(Files.readAllBytes(Path.of(args[1])));
        LocalComputation computation = descriptor.rebuild();
        Value result = computation.call(argument);
        Files.write(Path.of(args[2]), ValueCodec.encode(result));
    }
}
