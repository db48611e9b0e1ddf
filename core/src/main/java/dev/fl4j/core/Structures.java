package dev.fl4j.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Structural helpers over nested values whose leaves are tensors, TF's {@code tf.nest}: map a
 * function over every leaf, zip two values of the same structure, flatten to leaves and pack back.
 */
public final class Structures {

    private Structures() {
    }

    /** Applies {@code fn} to every tensor leaf, keeping the structure and field names. */
    public static Value map(Value value, UnaryOperator<Tensor> fn) {
        if (value instanceof Tensor t) {
            return fn.apply(t);
        }
        if (value instanceof Struct s) {
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < s.size(); i++) {
                b.add(s.nameAt(i), map(s.get(i), fn));
            }
            return b.build();
        }
        throw new IllegalArgumentException("cannot map over " + value.type() + ": only tensors and structures of tensors");
    }

    /**
     * Combines two values of the same structure leaf by leaf. Fails, naming the path, where the
     * structures differ (field count, field names, tensor versus structure).
     */
    public static Value zip(Value a, Value b, BinaryOperator<Tensor> fn) {
        return zip(a, b, fn, "");
    }

    private static Value zip(Value a, Value b, BinaryOperator<Tensor> fn, String path) {
        if (a instanceof Tensor ta && b instanceof Tensor tb) {
            return fn.apply(ta, tb);
        }
        if (a instanceof Struct sa && b instanceof Struct sb) {
            if (sa.size() != sb.size()) {
                throw new IllegalArgumentException("structures differ at " + where(path) + ": " + sa.type() + " vs " + sb.type());
            }
            Struct.Builder out = Struct.builder();
            for (int i = 0; i < sa.size(); i++) {
                String na = sa.nameAt(i);
                String nb = sb.nameAt(i);
                if (na != null && nb != null && !na.equals(nb)) {
                    throw new IllegalArgumentException("structures differ at " + where(path) + ": field " + i + " is '" + na + "' vs '" + nb + "'");
                }
                String name = na != null ? na : nb;
                out.add(name, zip(sa.get(i), sb.get(i), fn, path + "/" + (name != null ? name : String.valueOf(i))));
            }
            return out.build();
        }
        throw new IllegalArgumentException("structures differ at " + where(path) + ": " + a.type() + " vs " + b.type());
    }

    private static String where(String path) {
        return path.isEmpty() ? "the top level" : path;
    }

    /** The tensor leaves in depth-first order. */
    public static List<Tensor> leaves(Value value) {
        List<Tensor> out = new ArrayList<>();
        collect(value, out);
        return out;
    }

    private static void collect(Value value, List<Tensor> out) {
        if (value instanceof Tensor t) {
            out.add(t);
        } else if (value instanceof Struct s) {
            for (Value v : s.values()) {
                collect(v, out);
            }
        } else {
            throw new IllegalArgumentException("cannot flatten " + value.type() + ": only tensors and structures of tensors");
        }
    }

    /** Rebuilds a value with the structure of {@code template} from leaves in depth-first order. */
    public static Value pack(Value template, List<Tensor> leaves) {
        Iterator<Tensor> it = leaves.iterator();
        Value out = pack(template, it, leaves.size());
        if (it.hasNext()) {
            throw new IllegalArgumentException("template " + template.type() + " has fewer leaves than the " + leaves.size() + " given");
        }
        return out;
    }

    private static Value pack(Value template, Iterator<Tensor> it, int given) {
        if (template instanceof Tensor) {
            if (!it.hasNext()) {
                throw new IllegalArgumentException("template has more leaves than the " + given + " given");
            }
            return it.next();
        }
        Struct s = (Struct) template;
        Struct.Builder b = Struct.builder();
        for (int i = 0; i < s.size(); i++) {
            b.add(s.nameAt(i), pack(s.get(i), it, given));
        }
        return b.build();
    }

    /** Total number of tensor elements. */
    public static long numElements(Value value) {
        long n = 0;
        for (Tensor t : leaves(value)) {
            n += t.size();
        }
        return n;
    }

    /** Whether every leaf is finite. */
    public static boolean isFinite(Value value) {
        for (Tensor t : leaves(value)) {
            if (!t.isFinite()) {
                return false;
            }
        }
        return true;
    }
}
