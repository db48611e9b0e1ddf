package dev.fl4j.compression.internal;

/**
 * Chooses between the scalar kernels of {@link HadamardStage}, {@link SignStage}, {@link LloydMaxStage} (at 1 and
 * 2 bits) and {@link StrideStage} (at stride 2) and their Vector API versions ({@link VectorKernels}). The vector
 * path runs when the JDK's incubating {@code jdk.incubator.vector} module is in the boot layer (the JVM started
 * with {@code --add-modules jdk.incubator.vector}), its preferred float species holds at least 16 lanes (512-bit
 * vectors: one lane per element of the 16-point kernel), and the system property {@value #SCALAR_PROPERTY} is not
 * {@code true}. Both paths give the same floats and bytes, bit for bit; the choice only changes speed.
 * {@link VectorKernels} is loaded only when the module is in the boot layer, so the module stays optional.
 */
public final class Kernels {

    /** {@code -Dfl4j.compression.scalar=true} keeps the scalar kernels even when the vector path could run. */
    static final String SCALAR_PROPERTY = "fl4j.compression.scalar";

    private static final boolean AVAILABLE = detect();

    private static volatile boolean vector = AVAILABLE && !Boolean.getBoolean(SCALAR_PROPERTY);

    private Kernels() {}

    private static boolean detect() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && VectorKernels.supported();
    }

    /** Whether the vector kernels run. */
    public static boolean vector() {
        return vector;
    }

    /** Whether this JVM can run the vector kernels, whatever {@value #SCALAR_PROPERTY} says. */
    static boolean available() {
        return AVAILABLE;
    }

    /**
     * Chooses the vector kernels ({@code true}, only where {@link #available}) or the scalar ones, for every codec from
     * now on: for tests and timing harnesses that compare both paths in one JVM.
     */
    static void useVector(boolean on) {
        if (on && !AVAILABLE) {
            throw new IllegalStateException("the vector kernels need --add-modules jdk.incubator.vector and 512-bit"
                    + " vectors; this JVM has "
                    + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                            ? "narrower vectors"
                            : "no jdk.incubator.vector module"));
        }
        vector = on;
    }
}
