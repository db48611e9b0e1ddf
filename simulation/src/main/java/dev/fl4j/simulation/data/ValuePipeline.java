package dev.fl4j.simulation.data;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.function.LongConsumer;

/** Pipeline stages over values (batches, mapped elements): one object per element. */
abstract class ValuePipeline extends Dataset {

    @Override
    public Dataset shuffle(int bufferSize, long seed) {
        return new Shuffle(this, requirePositive(bufferSize, "shuffle buffer size"), seed);
    }

    @Override
    public Dataset repeat(int count) {
        return new Repeat(this, requireRepeatCount(count));
    }

    @Override
    public Dataset take(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("take count must not be negative, got " + count);
        }
        return new Take(this, count);
    }

    @Override
    Dataset batch(int size, boolean dropRemainder) {
        return new Stack(this, requirePositive(size, "batch size"), dropRemainder);
    }

    /** An iterator defined by one method returning the next element or null at the end. */
    abstract static class Producer implements Iterator<Value> {
        private Value next;
        private boolean ready;

        abstract Value produce();

        @Override
        public boolean hasNext() {
            if (!ready) {
                next = produce();
                ready = true;
            }
            return next != null;
        }

        @Override
        public Value next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = false;
            return next;
        }
    }

    static final class FromList extends ValuePipeline {
        private final Type elementType;
        private final List<Value> values;

        FromList(Type elementType, List<? extends Value> values) {
            for (int i = 0; i < values.size(); i++) {
                if (!elementType.isAssignableFrom(values.get(i).type())) {
                    throw new TypeMismatchException(
                            "dataset element " + i, elementType, values.get(i).type());
                }
            }
            this.elementType = elementType;
            this.values = List.copyOf(values);
        }

        @Override
        public Type elementType() {
            return elementType;
        }

        @Override
        Iterator<Value> values(long salt) {
            return values.iterator();
        }
    }

    static final class TimedPasses extends ValuePipeline {
        private final Dataset parent;
        private final LongConsumer passNanos;

        TimedPasses(Dataset parent, LongConsumer passNanos) {
            this.parent = parent;
            this.passNanos = passNanos;
        }

        @Override
        public Type elementType() {
            return parent.elementType();
        }

        @Override
        Iterator<Value> values(long salt) {
            Iterator<Value> in = parent.values(salt);
            long start = System.nanoTime();
            return new Producer() {
                boolean reported;

                @Override
                Value produce() {
                    if (in.hasNext()) {
                        return in.next();
                    }
                    if (!reported) {
                        reported = true;
                        passNanos.accept(System.nanoTime() - start);
                    }
                    return null;
                }
            };
        }
    }

    static final class Concat extends ValuePipeline {
        private final Type elementType;
        private final List<Dataset> parts;

        Concat(Type elementType, List<Dataset> parts) {
            for (int i = 0; i < parts.size(); i++) {
                if (!elementType.isAssignableFrom(parts.get(i).elementType())) {
                    throw new TypeMismatchException(
                            "elements of concatenated dataset " + i,
                            elementType,
                            parts.get(i).elementType());
                }
            }
            this.elementType = elementType;
            this.parts = parts;
        }

        @Override
        public Type elementType() {
            return elementType;
        }

        @Override
        Iterator<Value> values(long salt) {
            return new Producer() {
                int part = -1;
                Iterator<Value> current;

                @Override
                Value produce() {
                    while (current == null || !current.hasNext()) {
                        if (++part >= parts.size()) {
                            return null;
                        }
                        current = parts.get(part).values(Seeds.derive(salt, part));
                    }
                    return current.next();
                }
            };
        }
    }

    static final class Mapped extends ValuePipeline {
        private final Dataset parent;
        private final Type elementType;
        private final Function<? super Value, ? extends Value> fn;

        Mapped(Dataset parent, Type elementType, Function<? super Value, ? extends Value> fn) {
            this.parent = parent;
            this.elementType = elementType;
            this.fn = fn;
        }

        @Override
        public Type elementType() {
            return elementType;
        }

        @Override
        Iterator<Value> values(long salt) {
            Iterator<Value> in = parent.values(salt);
            return new Producer() {
                long index;

                @Override
                Value produce() {
                    if (!in.hasNext()) {
                        return null;
                    }
                    Value out = fn.apply(in.next());
                    if (out == null) {
                        throw new IllegalStateException("map function returned null for element " + index);
                    }
                    if (!elementType.isAssignableFrom(out.type())) {
                        throw new TypeMismatchException("map result for element " + index, elementType, out.type());
                    }
                    index++;
                    return out;
                }
            };
        }
    }

    /** A step on one parent pipeline that keeps its element type (shuffle, repeat, take). */
    abstract static class Stage extends ValuePipeline {
        final ValuePipeline parent;

        Stage(ValuePipeline parent) {
            this.parent = parent;
        }

        @Override
        public Type elementType() {
            return parent.elementType();
        }
    }

    static final class Shuffle extends Stage {
        private final int bufferSize;
        private final long seed;

        Shuffle(ValuePipeline parent, int bufferSize, long seed) {
            super(parent);
            this.bufferSize = bufferSize;
            this.seed = seed;
        }

        @Override
        Iterator<Value> values(long salt) {
            Iterator<Value> in = parent.values(salt);
            SplitMix64 rng = new SplitMix64(Seeds.derive(seed, IndexPipeline.SHUFFLE, salt));
            List<Value> buffer = new ArrayList<>();
            return new Producer() {
                @Override
                Value produce() {
                    while (buffer.size() < bufferSize && in.hasNext()) {
                        buffer.add(in.next());
                    }
                    if (buffer.isEmpty()) {
                        return null;
                    }
                    int j = rng.nextInt(buffer.size());
                    Value out = buffer.get(j);
                    if (in.hasNext()) {
                        buffer.set(j, in.next());
                    } else {
                        buffer.set(j, buffer.get(buffer.size() - 1));
                        buffer.remove(buffer.size() - 1);
                    }
                    return out;
                }
            };
        }
    }

    static final class Repeat extends Stage {
        private final int count;

        Repeat(ValuePipeline parent, int count) {
            super(parent);
            this.count = count;
        }

        @Override
        Iterator<Value> values(long salt) {
            return new Producer() {
                int repetition;
                Iterator<Value> current = parent.values(salt);
                boolean yielded;

                @Override
                Value produce() {
                    while (!current.hasNext()) {
                        if (!yielded) {
                            return null;
                        }
                        repetition++;
                        if (count != -1 && repetition >= count) {
                            return null;
                        }
                        yielded = false;
                        current = parent.values(Seeds.derive(salt, repetition));
                    }
                    yielded = true;
                    return current.next();
                }
            };
        }
    }

    static final class Take extends Stage {
        private final int count;

        Take(ValuePipeline parent, int count) {
            super(parent);
            this.count = count;
        }

        @Override
        Iterator<Value> values(long salt) {
            Iterator<Value> in = parent.values(salt);
            return new Producer() {
                int taken;

                @Override
                Value produce() {
                    if (taken >= count || !in.hasNext()) {
                        return null;
                    }
                    taken++;
                    return in.next();
                }
            };
        }
    }

    /** Batching of arbitrary elements: every tensor leaf gains a leading batch dimension. */
    static final class Stack extends ValuePipeline {
        private final ValuePipeline parent;
        private final int size;
        private final boolean dropRemainder;

        Stack(ValuePipeline parent, int size, boolean dropRemainder) {
            this.parent = parent;
            this.size = size;
            this.dropRemainder = dropRemainder;
        }

        @Override
        public Type elementType() {
            return batched(parent.elementType());
        }

        private static Type batched(Type t) {
            if (t instanceof TensorType tt) {
                return new TensorType(tt.dtype(), Examples.prepend(TensorType.UNKNOWN, tt.shape()));
            }
            if (t instanceof StructType st) {
                StructType.Builder b = StructType.builder();
                for (StructType.Field f : st.fields()) {
                    b.add(f.name(), batched(f.type()));
                }
                return b.build();
            }
            throw new IllegalArgumentException(
                    "cannot batch elements of type " + t + ": only tensors and structures of tensors");
        }

        @Override
        Iterator<Value> values(long salt) {
            elementType();
            Iterator<Value> in = parent.values(salt);
            return new Producer() {
                @Override
                Value produce() {
                    List<Value> group = new ArrayList<>(size);
                    while (group.size() < size && in.hasNext()) {
                        group.add(in.next());
                    }
                    if (group.isEmpty() || group.size() < size && dropRemainder) {
                        return null;
                    }
                    return stack(group, "batch element");
                }
            };
        }

        static Value stack(List<Value> values, String where) {
            Value first = values.get(0);
            if (first instanceof Struct s) {
                Struct.Builder b = Struct.builder();
                for (int f = 0; f < s.size(); f++) {
                    List<Value> column = new ArrayList<>(values.size());
                    for (Value v : values) {
                        column.add(((Struct) v).get(f));
                    }
                    b.add(
                            s.nameAt(f),
                            stack(column, where + " field " + (s.nameAt(f) == null ? "#" + f : s.nameAt(f))));
                }
                return b.build();
            }
            Tensor t0 = (Tensor) first;
            int n = values.size();
            int w = t0.size();
            int[] shape = Examples.prepend(n, t0.shape());
            Object out = newArray(t0.dtype(), n * w);
            for (int i = 0; i < n; i++) {
                Tensor t = (Tensor) values.get(i);
                if (t.dtype() != t0.dtype() || !Arrays.equals(t.shape(), t0.shape())) {
                    throw new TypeMismatchException(
                            where + " " + i + " (cannot stack unequal shapes)", t0.type(), t.type());
                }
                System.arraycopy(data(t), 0, out, i * w, w);
            }
            return switch (t0.dtype()) {
                case FLOAT32 -> Tensor.of((float[]) out, shape);
                case FLOAT64 -> Tensor.of((double[]) out, shape);
                case INT32 -> Tensor.of((int[]) out, shape);
                case INT64 -> Tensor.of((long[]) out, shape);
                case UINT8 -> Tensor.of((byte[]) out, shape);
                case BOOL -> Tensor.of((boolean[]) out, shape);
            };
        }

        private static Object newArray(DType dtype, int n) {
            return switch (dtype) {
                case FLOAT32 -> new float[n];
                case FLOAT64 -> new double[n];
                case INT32 -> new int[n];
                case INT64 -> new long[n];
                case UINT8 -> new byte[n];
                case BOOL -> new boolean[n];
            };
        }

        private static Object data(Tensor t) {
            return switch (t.dtype()) {
                case FLOAT32 -> t.floatData();
                case FLOAT64 -> t.doubleData();
                case INT32 -> t.intData();
                case INT64 -> t.longData();
                case UINT8 -> t.byteData();
                case BOOL -> t.boolData();
            };
        }
    }
}
