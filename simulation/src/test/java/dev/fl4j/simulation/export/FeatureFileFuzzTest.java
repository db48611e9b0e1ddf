package dev.fl4j.simulation.export;

import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.testing.Fuzz;
import dev.fl4j.simulation.datasets.DatasetFileException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** CSV feature rows for {@code fl4j predict}: every input parses into examples or ends in a DatasetFileException. */
class FeatureFileFuzzTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void floatRows() {
        TensorType input = new TensorType(DType.FLOAT32, -1, 2, 2);
        Path file = Path.of("rows.csv");
        Fuzz.named("feature csv float")
                .seed(ascii("a,b,c,d\n0.5,1,-2e3,.25\n3,4,5,6\n"))
                .seed(ascii("1,2,3,4\r\n\r\n5,6,7,8"))
                .seed(ascii("NaN,1,2,3\n"))
                .seed(ascii("1e39,0,0,0\n"))
                .expecting(DatasetFileException.class)
                .inputs(5000)
                .run(bytes -> FeatureFile.parseCsv(bytes, file, input));
    }

    @Test
    void idRows() {
        TensorType input = new TensorType(DType.INT32, -1, 3);
        Path file = Path.of("ids.csv");
        Fuzz.named("feature csv int")
                .seed(ascii("c0,c1,c2\n1,2,3\n-4,5,2147483647\n"))
                .seed(ascii("9999999999,1,2\n"))
                .expecting(DatasetFileException.class)
                .inputs(3000)
                .run(bytes -> FeatureFile.parseCsv(bytes, file, input));
    }
}
