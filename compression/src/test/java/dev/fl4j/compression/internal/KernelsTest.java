package dev.fl4j.compression.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fl4j.compression.Encoders;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The choice between the vector and the scalar kernels. */
class KernelsTest {

    @Test
    void theVectorKernelsRunWhereAvailableUnlessTheScalarOnesAreAskedFor() {
        boolean available =
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && VectorKernels.supported();
        assertEquals(available, Kernels.available());
        assertEquals(available && !Boolean.getBoolean(Kernels.SCALAR_PROPERTY), Kernels.vector());
    }

    @Test
    void theEncodersSayWhichKernelsRun() {
        boolean before = Kernels.vector();
        try {
            Kernels.useVector(false);
            assertEquals("scalar", Encoders.kernels());
            if (Kernels.available()) {
                Kernels.useVector(true);
                assertEquals("vector", Encoders.kernels());
            }
        } finally {
            Kernels.useVector(before);
        }
    }

    @Test
    void theVectorKernelsCannotBeChosenWhereTheyCannotRun() {
        Assumptions.assumeFalse(Kernels.available(), "this JVM can run them");
        assertThrows(IllegalStateException.class, () -> Kernels.useVector(true));
    }
}
