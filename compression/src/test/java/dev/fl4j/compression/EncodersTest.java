package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EncodersTest {

    @Test
    void everyDocumentedPresetParses() {
        String[] examples = {
            "none",
            "identity",
            "uniform8",
            "uniform:1",
            "uniform:16",
            "hadamard-uniform:4",
            "nonuniform:8",
            "entropy-uniform:12",
            "entropy-nonuniform:3",
            "drive",
            "topk:0.01",
            "topk-uniform:0.1:4",
            "randk:1",
            "randk-ef:0.5",
            "adaptive-uniform:4",
            "hadamard-lloyd:1",
            "hadamard-lloyd:4@0",
            "sampled-drive:0.5",
            "sampled-lloyd:0.25:2",
            "subsampled-drive:0.5",
            "subsampled-drive:1",
            "subsampled-drive:0.125@0",
            "subsampled-drive:0.000244140625",
            "uniform8@0",
            " drive@123 "
        };
        for (String s : examples) {
            ValueEncoder e = Encoders.parse(s);
            assertEquals(s.trim(), e.name());
        }
        assertEquals(Encoders.PRESETS.size(), 18);
        assertEquals(123, Encoders.parse("drive@123").threshold());
        assertEquals(ValueEncoder.TFF_DEFAULT_THRESHOLD, Encoders.parse("drive").threshold());
        assertEquals("uniform(8)+bitpack", Encoders.tffDefault().tensorEncoder().name());
        assertEquals(
                "hadamard(block<=2^12)+sign(unbiased)+bitpack",
                Encoders.tensorEncoder("drive").name());
        assertEquals(
                "hadamard(block<=2^12)+stride(4)+sign(unbiased)+bitpack",
                Encoders.tensorEncoder("subsampled-drive:0.25").name());
        assertEquals(
                "hadamard(block<=2^12)+stride(4096)+sign(unbiased)+bitpack",
                Encoders.tensorEncoder("subsampled-drive:0.000244140625").name());
    }

    /** FRACTION of subsampled-drive is 1/2^j, j 0-12, as a decimal; anything else names the valid values. */
    @Test
    void subsampledDriveTakesOnlyPowersOfOneHalf() {
        String valid = "FRACTION must be 1/2^j for j = 0-12, one of 1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625,"
                + " 0.0078125, 0.00390625, 0.001953125, 0.0009765625, 0.00048828125, 0.000244140625 (written as a"
                + " decimal)";
        assertMessage("subsampled-drive:0.3", valid + ", got '0.3'");
        assertMessage("subsampled-drive:0", valid + ", got '0'");
        assertMessage("subsampled-drive:1.5", valid + ", got '1.5'");
        assertMessage("subsampled-drive:2", "got '2'");
        assertMessage("subsampled-drive:x", valid + ", got 'x'");
        assertMessage("subsampled-drive:", "got ''");
        assertMessage("subsampled-drive:-0.5", "got '-0.5'");
        assertMessage("subsampled-drive:NaN", "got 'NaN'");
        assertMessage("subsampled-drive:1/2", "got '1/2'");
        // one step past the largest stride, and a value just off a power of one half
        assertMessage("subsampled-drive:0.0001220703125", "got '0.0001220703125'");
        assertMessage("subsampled-drive:0.50000001", "got '0.50000001'");
        assertMessage("subsampled-drive", "takes 1 argument(s) (subsampled-drive:FRACTION), got 0");
        assertMessage("subsampled-drive:0.5:1", "takes 1 argument(s)");
        assertMessage("subsampled-drive:0.3@0", "got '0.3'");
        // other spellings of the same number are the same preset
        assertEquals(
                Encoders.tensorEncoder("subsampled-drive:0.5").name(),
                Encoders.tensorEncoder("subsampled-drive:5e-1").name());
    }

    @Test
    void unknownNamesListTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Encoders.parse("uniform9"));
        assertTrue(e.getMessage().contains("unknown encoder 'uniform9'"), e.getMessage());
        for (String p : Encoders.PRESETS) {
            assertTrue(e.getMessage().contains(p), p + " missing from: " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Encoders.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Encoders.parse(null));
    }

    @Test
    void badArgumentsSayWhatIsExpected() {
        assertMessage("uniform:0", "BITS must be 1-16, got 0");
        assertMessage("uniform:17", "BITS must be 1-16, got 17");
        assertMessage("uniform:x", "BITS must be a whole number 1-16, got 'x'");
        assertMessage("entropy-uniform:13", "BITS must be 1-12");
        assertMessage("nonuniform:9", "BITS must be 1-8");
        assertMessage("topk:0", "FRACTION must be in (0, 1]");
        assertMessage("topk:1.5", "FRACTION must be in (0, 1]");
        assertMessage("randk:NaN", "FRACTION must be in (0, 1]");
        assertMessage("uniform", "takes 1 argument(s) (uniform:BITS), got 0");
        assertMessage("drive:3", "takes 0 argument(s)");
        assertMessage("topk-uniform:0.1", "takes 2 argument(s)");
        assertMessage("uniform8@x", "threshold after '@' must be a whole number");
        assertMessage("uniform8@-1", "threshold must be >= 0");
        assertMessage("hadamard-lloyd:5", "BITS must be 1-4, got 5");
        assertMessage("hadamard-lloyd", "takes 1 argument(s) (hadamard-lloyd:BITS), got 0");
        assertMessage("sampled-drive:0", "FRACTION must be in (0, 1]");
        assertMessage("sampled-lloyd:0.5", "takes 2 argument(s) (sampled-lloyd:FRACTION:BITS), got 1");
        assertMessage("sampled-lloyd:2:1", "FRACTION must be in (0, 1]");
    }

    private static void assertMessage(String spec, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Encoders.parse(spec));
        assertTrue(e.getMessage().contains(fragment), spec + ": " + e.getMessage());
    }
}
