package dev.fl4j.compression;

import java.math.BigDecimal;
import java.util.List;

/**
 * Named encoder presets, selectable by a string (on the command line, in a config): the factory
 * for {@link ValueEncoder}s. A name is {@code PRESET} or {@code PRESET@THRESHOLD}; leaves with more
 * than {@code THRESHOLD} elements (default {@value ValueEncoder#TFF_DEFAULT_THRESHOLD}, TFF's) are
 * encoded, others cross as they are.
 *
 * <table>
 * <caption>Presets (n elements; header {@code 4 + 4·rank + stages} bytes, see {@link TensorEncoder})</caption>
 * <tr><th>name</th><th>chain</th><th>bytes per encoded tensor</th><th>decoding</th></tr>
 * <tr><td>{@code none}</td><td>nothing encoded</td><td>4n (float32)</td><td>exact</td></tr>
 * <tr><td>{@code identity}</td><td>identity, float32</td><td>header + 4n</td><td>exact</td></tr>
 * <tr><td>{@code uniform8}</td><td>= {@code uniform:8}, TFF's default</td><td>header + 9 + n</td><td>unbiased</td></tr>
 * <tr><td>{@code uniform:BITS}</td><td>uniform(BITS 1-16), bitpack</td><td>header + 9 +
 * ceil(n·BITS/8)</td><td>unbiased, error &lt; (max-min)/(2^BITS-1)</td></tr>
 * <tr><td>{@code hadamard-uniform:BITS}</td><td>hadamard, uniform(BITS), bitpack</td><td>header + 18 + ceil(m·BITS/8),
 * m = n padded to blocks of ≤ 4096</td><td>unbiased, smaller range after rotation</td></tr>
 * <tr><td>{@code nonuniform:BITS}</td><td>nonuniform(BITS 1-8), bitpack</td><td>header + 1 + 4·2^BITS +
 * ceil(n·BITS/8)</td><td>unbiased, companded levels</td></tr>
 * <tr><td>{@code entropy-uniform:BITS}</td><td>uniform(BITS 1-12), rans</td><td>header + 9 + table + coded (data
 * dependent)</td><td>as uniform, fewer bytes</td></tr>
 * <tr><td>{@code entropy-nonuniform:BITS}</td><td>nonuniform(BITS 1-8), rans</td><td>header + 1 + 4·2^BITS + table +
 * coded</td><td>as nonuniform</td></tr>
 * <tr><td>{@code drive}</td><td>hadamard, sign(unbiased), bitpack</td><td>header + 13 + ceil(m/8)</td><td>1 bit per
 * element; bias-corrected scale</td></tr>
 * <tr><td>{@code topk:FRACTION}</td><td>topk(FRACTION, error feedback), float32</td><td>header + 4 + ceil(k·ceil(log2
 * n)/8) + 4k</td><td>biased; residual carried in client state</td></tr>
 * <tr><td>{@code topk-uniform:FRACTION:BITS}</td><td>topk(FRACTION, error feedback), uniform(BITS),
 * bitpack</td><td>header + 4 + ceil(k·ceil(log2 n)/8) + 9 + ceil(k·BITS/8)</td><td>biased; residual carried in client
 * state</td></tr>
 * <tr><td>{@code randk:FRACTION}</td><td>randk(FRACTION, unbiased n/k scaling), float32</td><td>header + 12 +
 * 4k</td><td>unbiased</td></tr>
 * <tr><td>{@code adaptive-uniform:BITS}</td><td>adaptive-uniform(BITS 1-16, ±4 moving deviations, decay 0.9),
 * bitpack</td><td>header + 13 + 8m + ceil(n·BITS/8), m ≤ n/256 outliers</td><td>unbiased; range adapts across rounds
 * from encoder state (server-side: {@code --broadcast})</td></tr>
 * <tr><td>{@code randk-ef:FRACTION}</td><td>randk(FRACTION, error feedback), float32</td><td>header + 12 +
 * 4k</td><td>biased; residual carried in client state</td></tr>
 * <tr><td>{@code hadamard-lloyd:BITS}</td><td>hadamard, lloyd-max(BITS 1-4), bitpack</td><td>header + 10 +
 * 4·ceil(m/4096) + ceil(m·BITS/8)</td><td>deterministic; Gaussian-optimal levels, per-block
 * unbiased (DRIVE) scale: for the broadcast and the full model of {@code delta:}</td></tr>
 * <tr><td>{@code sampled-drive:FRACTION}</td><td>randk(FRACTION, unbiased), hadamard, sign(unbiased),
 * bitpack</td><td>header + 25 + ceil(m'/8), m' = k padded to blocks</td><td>unbiased; FRACTION bits per element, for
 * the aggregation</td></tr>
 * <tr><td>{@code subsampled-drive:FRACTION}</td><td>hadamard, stride(1/FRACTION), sign(unbiased),
 * bitpack</td><td>header + 14 + ceil(ceil(m/q)/8), q = 1/FRACTION</td><td>unbiased; FRACTION bits per element,
 * for the aggregation, with no random draw per element (see below)</td></tr>
 * <tr><td>{@code sampled-lloyd:FRACTION:BITS}</td><td>randk(FRACTION), hadamard, lloyd-max(BITS, least
 * squares), bitpack</td><td>header + 22 + 4·ceil(m'/4096) + ceil(m'·BITS/8)</td><td>biased (unsent elements
 * decode to 0): for the change of {@code delta:}, whose server-side error feedback sends them later</td></tr>
 * </table>
 * {@code k = clamp(round(FRACTION·n), 1, n)}, FRACTION in (0, 1]. Parse errors list these names.
 *
 * <p><b>{@code subsampled-drive:FRACTION}</b> (a subsampled randomized Hadamard transform, then DRIVE) sends what
 * {@code sampled-drive:FRACTION} sends, one sign per kept coordinate, with the same error, but keeps a fixed subset:
 * it rotates the whole padded tensor and keeps every {@code q}-th rotated coordinate ({@code q = 1/FRACTION}, the same
 * count in every Hadamard block, {@link Stages#stride}), whose signs it sends with DRIVE's unbiased scale over the
 * kept coordinates, decoded times {@code q}. The rotation's random signs make it unbiased; there is no random draw per
 * element and no selection on either end, so it costs about what {@code drive} costs. FRACTION is {@code 1/2^j} for j
 * from 0 to 12, written as a decimal: 1, 0.5, 0.25, ..., 0.000244140625 (the stride at most the default Hadamard
 * block of 4096). Stateless: for the aggregation, cross-device and cross-silo alike. Bytes per tensor: header + 9
 * (rotation) + 1 (stride: log2 q) + 4 (scale) + {@code ceil(ceil(m/q)/8)} for the padded length m; a tensor shorter
 * than q keeps one coordinate.
 */
public final class Encoders {

    /** The accepted syntaxes, as listed in error messages. */
    public static final List<String> PRESETS = List.of(
            "none",
            "identity",
            "uniform8",
            "uniform:BITS",
            "hadamard-uniform:BITS",
            "nonuniform:BITS",
            "entropy-uniform:BITS",
            "entropy-nonuniform:BITS",
            "drive",
            "topk:FRACTION",
            "topk-uniform:FRACTION:BITS",
            "randk:FRACTION",
            "randk-ef:FRACTION",
            "adaptive-uniform:BITS",
            "hadamard-lloyd:BITS",
            "sampled-drive:FRACTION",
            "subsampled-drive:FRACTION",
            "sampled-lloyd:FRACTION:BITS");

    private Encoders() {}

    /**
     * Which versions of the codecs' hot loops this JVM runs: {@code "vector"} (the Vector API kernels, opt-in with
     * {@code --add-modules jdk.incubator.vector} on a CPU with 512-bit vectors) or {@code "scalar"}. Both give the same
     * bytes; benchmarks print it next to their timings.
     */
    public static String kernels() {
        return dev.fl4j.compression.internal.Kernels.vector() ? "vector" : "scalar";
    }

    /** TFF's default: 8-bit uniform quantization of tensors with more than 20,000 elements. */
    public static ValueEncoder tffDefault() {
        return parse("uniform8");
    }

    /**
     * The value encoder a preset name selects, e.g. {@code uniform8}, {@code hadamard-uniform:4@1000},
     * {@code topk:0.01}.
     *
     * @throws IllegalArgumentException for an unknown name or bad argument, listing the valid names
     */
    public static ValueEncoder parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw unknown(String.valueOf(spec), "empty encoder name");
        }
        String s = spec.trim();
        long threshold = ValueEncoder.TFF_DEFAULT_THRESHOLD;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            String t = s.substring(at + 1);
            try {
                threshold = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("encoder '" + spec
                        + "': threshold after '@' must be a whole number of elements, got '" + t + "'");
            }
            if (threshold < 0) {
                throw new IllegalArgumentException("encoder '" + spec + "': threshold must be >= 0, got " + threshold);
            }
            s = s.substring(0, at);
        }
        if (s.equals("none")) {
            return ValueEncoder.none();
        }
        return ValueEncoder.preset(tensorEncoder(s, spec), threshold, spec.trim());
    }

    /** The tensor encoder of a preset name without threshold (e.g. {@code uniform:8}); not {@code none}. */
    public static TensorEncoder tensorEncoder(String preset) {
        return tensorEncoder(preset.trim(), preset);
    }

    private static TensorEncoder tensorEncoder(String s, String spec) {
        String[] parts = s.split(":", -1);
        String head = parts[0];
        switch (head) {
            case "identity" -> {
                args(parts, 0, spec);
                return TensorEncoder.of(Stages.identity(), Stages.float32());
            }
            case "uniform8" -> {
                args(parts, 0, spec);
                return TensorEncoder.of(Stages.uniformQuantization(8), Stages.bitPacking());
            }
            case "uniform" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(Stages.uniformQuantization(bits(parts[1], 16, spec)), Stages.bitPacking());
            }
            case "hadamard-uniform" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(
                        Stages.hadamard(), Stages.uniformQuantization(bits(parts[1], 16, spec)), Stages.bitPacking());
            }
            case "nonuniform" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(Stages.nonUniformQuantization(bits(parts[1], 8, spec)), Stages.bitPacking());
            }
            case "entropy-uniform" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(Stages.uniformQuantization(bits(parts[1], 12, spec)), Stages.entropyCoding());
            }
            case "entropy-nonuniform" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(Stages.nonUniformQuantization(bits(parts[1], 8, spec)), Stages.entropyCoding());
            }
            case "drive" -> {
                args(parts, 0, spec);
                return TensorEncoder.of(
                        Stages.hadamard(), Stages.sign().optUnbiased(true).build(), Stages.bitPacking());
            }
            case "topk" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(
                        Stages.topK()
                                .setFraction(fraction(parts[1], spec))
                                .optErrorFeedback(true)
                                .build(),
                        Stages.float32());
            }
            case "topk-uniform" -> {
                args(parts, 2, spec);
                return TensorEncoder.of(
                        Stages.topK()
                                .setFraction(fraction(parts[1], spec))
                                .optErrorFeedback(true)
                                .build(),
                        Stages.uniformQuantization(bits(parts[2], 16, spec)),
                        Stages.bitPacking());
            }
            case "randk" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(
                        Stages.randomK()
                                .setFraction(fraction(parts[1], spec))
                                .optUnbiased(true)
                                .build(),
                        Stages.float32());
            }
            case "randk-ef" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(
                        Stages.randomK()
                                .setFraction(fraction(parts[1], spec))
                                .optErrorFeedback(true)
                                .build(),
                        Stages.float32());
            }
            case "adaptive-uniform" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(
                        Stages.adaptiveUniformQuantization(bits(parts[1], 16, spec)), Stages.bitPacking());
            }
            case "hadamard-lloyd" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(
                        Stages.hadamard(), Stages.lloydMax(bits(parts[1], 4, spec), true), Stages.bitPacking());
            }
            case "sampled-drive" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(
                        Stages.randomK()
                                .setFraction(fraction(parts[1], spec))
                                .optUnbiased(true)
                                .build(),
                        Stages.hadamard(),
                        Stages.sign().optUnbiased(true).build(),
                        Stages.bitPacking());
            }
            case "subsampled-drive" -> {
                args(parts, 1, spec);
                return TensorEncoder.of(
                        Stages.hadamard(),
                        Stages.stride(stride(parts[1], spec)),
                        Stages.sign().optUnbiased(true).build(),
                        Stages.bitPacking());
            }
            case "sampled-lloyd" -> {
                args(parts, 2, spec);
                return TensorEncoder.of(
                        Stages.randomK().setFraction(fraction(parts[1], spec)).build(),
                        Stages.hadamard(),
                        Stages.lloydMax(bits(parts[2], 4, spec), false),
                        Stages.bitPacking());
            }
            default -> throw unknown(spec, "unknown encoder '" + head + "'");
        }
    }

    private static void args(String[] parts, int expected, String spec) {
        if (parts.length - 1 != expected) {
            String syntax = PRESETS.stream()
                    .filter(p -> p.equals(parts[0]) || p.startsWith(parts[0] + ":"))
                    .findFirst()
                    .orElse(parts[0]);
            throw unknown(
                    spec,
                    "'" + parts[0] + "' takes " + expected + " argument(s) (" + syntax + "), got "
                            + (parts.length - 1));
        }
    }

    private static int bits(String text, int max, String spec) {
        int b;
        try {
            b = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "encoder '" + spec + "': BITS must be a whole number 1-" + max + ", got '" + text + "'");
        }
        if (b < 1 || b > max) {
            throw new IllegalArgumentException("encoder '" + spec + "': BITS must be 1-" + max + ", got " + b);
        }
        return b;
    }

    private static double fraction(String text, String spec) {
        double f;
        try {
            f = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "encoder '" + spec + "': FRACTION must be a number in (0, 1], got '" + text + "'");
        }
        if (!(f > 0 && f <= 1)) {
            throw new IllegalArgumentException("encoder '" + spec + "': FRACTION must be in (0, 1], got " + text);
        }
        return f;
    }

    /** The largest log2 of the stride of {@code subsampled-drive}: that of the default Hadamard block. */
    private static final int MAX_SUBSAMPLING_LOG2 = Stages.DEFAULT_HADAMARD_BLOCK_LOG2;

    /** The stride {@code 1/FRACTION} of a FRACTION that is {@code 1/2^j}, j from 0 to {@link #MAX_SUBSAMPLING_LOG2}. */
    private static int stride(String text, String spec) {
        double f;
        try {
            f = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            f = Double.NaN;
        }
        for (int j = 0; j <= MAX_SUBSAMPLING_LOG2; j++) {
            if (f == Math.scalb(1.0, -j)) {
                return 1 << j;
            }
        }
        StringBuilder valid = new StringBuilder();
        for (int j = 0; j <= MAX_SUBSAMPLING_LOG2; j++) {
            valid.append(j == 0 ? "" : ", ").append(new BigDecimal(Math.scalb(1.0, -j)).toPlainString());
        }
        throw new IllegalArgumentException("encoder '" + spec + "': FRACTION must be 1/2^j for j = 0-"
                + MAX_SUBSAMPLING_LOG2 + ", one of " + valid + " (written as a decimal), got '" + text + "'");
    }

    private static IllegalArgumentException unknown(String spec, String why) {
        return new IllegalArgumentException(
                "encoder '" + spec + "': " + why + "; valid names: " + String.join(", ", PRESETS)
                        + " (optionally followed by @THRESHOLD, default " + ValueEncoder.TFF_DEFAULT_THRESHOLD + ")");
    }
}
