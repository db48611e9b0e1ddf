package dev.fl4j.simulation.training;

import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.simulation.io.AtomicFiles;
import java.nio.file.Path;

/**
 * The child process of {@link KilledRunResumeTest}: runs {@link SmallRun} with a checkpoint every
 * round, pausing after each round so the parent can kill it mid-run, and writes the final model.
 * Arguments: checkpoint dir, rounds, output file, pause in milliseconds.
 */
public final class ResumeChild {

    private ResumeChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        long pauseMillis = Long.parseLong(args[3]);
        TrainingResult r = SmallRun.checkpointed(dir, rounds, 11, 0.2, 2)
                .optListener(new RoundListener() {
                    @Override
                    public void checkpointSaved(int round, Path file) {
                        System.out.println("saved " + round);
                        System.out.flush();
                        try {
                            Thread.sleep(pauseMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .build()
                .run();
        System.out.println("resumed from " + r.resumedFrom());
        AtomicFiles.write(out, ValueCodec.encode(r.model().asStruct()));
    }
}
