package dev.fl4j.learning.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fl4j.core.TensorType;
import dev.fl4j.learning.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keras's {@code model.summary()} for a {@link ModelSpec}: one row per layer after the input (its
 * automatic name and {@code class_name}, its output shape with {@code None} for the batch, its number
 * of parameters), then the total, trainable and non-trainable counts with the float32 size, as Keras
 * prints them. The numbers come from the same shape inference and weight list the engines build, so
 * they are the model's, not a recomputation.
 *
 * @param name the model's name
 * @param rows one per layer after the input layer
 * @param trainable the number of trainable parameters
 * @param nonTrainable the number of non-trainable parameters
 */
public record ModelSummary(String name, List<Row> rows, long trainable, long nonTrainable) {

    /** One layer: {@code conv2d (Conv2D)}, {@code (None, 28, 28, 32)}, {@code 832}. */
    public record Row(String layer, String kind, String outputShape, long params) {}

    public ModelSummary {
        rows = List.copyOf(rows);
    }

    /** The summary of {@code spec}. */
    public static ModelSummary of(ModelSpec spec) {
        Sequential seq = spec.sequential();
        List<Row> rows = new ArrayList<>();
        long trainable = 0;
        long frozen = 0;
        for (int i = 0; i < seq.layers().size(); i++) {
            Layer layer = seq.layers().get(i);
            String layerName = seq.layerNames().get(i);
            long params = 0;
            for (WeightSpec w : seq.weights()) {
                if (w.name().startsWith(layerName + "/")) {
                    params += w.size();
                    if (w.trainable()) {
                        trainable += w.size();
                    } else {
                        frozen += w.size();
                    }
                }
            }
            if (i > 0) {
                rows.add(new Row(layerName, kind(layer), shape(seq.outputTypes().get(i)), params));
            }
        }
        return new ModelSummary(spec.name(), rows, trainable, frozen);
    }

    /** The total number of parameters. */
    public long total() {
        return trainable + nonTrainable;
    }

    /** The layer's {@code class_name}, as the JSON format names it. */
    private static String kind(Layer layer) {
        try {
            return Json.mapper()
                    .readTree(Json.mapper().writerFor(Layer.class).writeValueAsString(layer))
                    .get("class_name")
                    .asText();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot name layer " + layer, e);
        }
    }

    /** {@code (None, 28, 28, 32)}, Keras's spelling of a shape with an unknown batch. */
    private static String shape(TensorType t) {
        StringBuilder b = new StringBuilder("(");
        int[] s = t.shape();
        for (int i = 0; i < s.length; i++) {
            b.append(i == 0 ? "" : ", ").append(s[i] == TensorType.UNKNOWN ? "None" : String.valueOf(s[i]));
        }
        return b.append(s.length == 1 ? ",)" : ")").toString();
    }

    /** The table as Keras prints it, with thousands separators and the size of float32 weights. */
    @Override
    public String toString() {
        int w1 = "Layer (type)".length();
        int w2 = "Output Shape".length();
        for (Row r : rows) {
            w1 = Math.max(w1, r.layer().length() + r.kind().length() + 3);
            w2 = Math.max(w2, r.outputShape().length());
        }
        w1 += 2;
        w2 += 2;
        String format = "%-" + w1 + "s%-" + w2 + "s%s%n";
        int width = w1 + w2 + 12;
        StringBuilder b = new StringBuilder();
        b.append("Model: \"").append(name).append("\"\n");
        b.append("_".repeat(width)).append('\n');
        b.append(String.format(Locale.ROOT, format, " Layer (type)", "Output Shape", "Param #"));
        b.append("=".repeat(width)).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            b.append(String.format(
                    Locale.ROOT,
                    format,
                    " " + r.layer() + " (" + r.kind() + ")",
                    r.outputShape(),
                    String.format(Locale.ROOT, "%,d", r.params())));
            b.append(i == rows.size() - 1 ? "" : "\n");
        }
        b.append("=".repeat(width)).append('\n');
        b.append(String.format(Locale.ROOT, "Total params: %,d (%s)%n", total(), bytes(4 * total())));
        b.append(String.format(Locale.ROOT, "Trainable params: %,d (%s)%n", trainable, bytes(4 * trainable)));
        b.append(String.format(Locale.ROOT, "Non-trainable params: %,d (%s)%n", nonTrainable, bytes(4 * nonTrainable)));
        b.append("_".repeat(width)).append('\n');
        return b.toString();
    }

    /** Keras's size spelling: {@code 6.34 MB} (binary multiples, as Keras computes them). */
    private static String bytes(long n) {
        String[] units = {"B", "KB", "MB", "GB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
