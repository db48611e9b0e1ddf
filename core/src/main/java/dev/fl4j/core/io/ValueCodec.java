package dev.fl4j.core.io;

import dev.fl4j.core.DType;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The fl4j binary value format, version 1: how tensors, structures and finite sequences travel
 * between JVMs and into files. All integers are big-endian.
 *
 * <pre>
 * file      := 'F' 'L' '4' 'V'  version:u8(=1)  value
 * value     := 'T' tensor | 'S' struct | 'Q' sequence
 * tensor    := dtype:u8  rank:u8  dim:i32 × rank  elements (i32/i64/f32/f64 big-endian, uint8 and bool one byte each)
 * struct    := count:i32  ( named:u8(0|1) [name: u16 length + UTF-8 bytes]  value ) × count
 * sequence  := type  count:i32  value × count
 * type      := 't' dtype:u8 rank:u8 dim:i32 × rank (-1 unknown)
 *            | 's' count:i32 (named:u8 [name] type) × count
 *            | 'q' type
 * dtype     := 0 float32 | 1 float64 | 2 int32 | 3 int64 | 4 uint8 | 5 bool
 * </pre>
 *
 * Decoding reads exactly the bytes the format says and fails with {@link MalformedDataException}
 * on a wrong magic or version, an unknown tag or dtype, a negative size, truncated input or
 * trailing bytes, naming the byte offset. It is safe on hostile bytes: a tensor whose dimensions
 * multiply beyond 2<sup>31</sup>-1 elements or beyond the bytes that remain, a count larger than the
 * remaining input could hold, a duplicate field name, a sequence element of the wrong type and
 * nesting deeper than {@link #MAX_DEPTH} levels are all rejected before anything is allocated
 * for them, so memory stays proportional to the input and recursion bounded.
 */
public final class ValueCodec {

    /** The format version this codec writes and reads. */
    public static final int VERSION = 1;

    private static final byte[] MAGIC = {'F', 'L', '4', 'V'};
    private static final DType[] DTYPES = {
        DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.UINT8, DType.BOOL
    };
    /** How deeply structures, sequences and their types may nest; decoding recurses once per level. */
    public static final int MAX_DEPTH = 64;

    private ValueCodec() {}

    /** Encodes a tensor, structure or finite sequence. */
    public static byte[] encode(Value value) {
        return encode(value, null);
    }

    /**
     * Encodes as {@link #encode(Value)} does, into {@code reuse} when the encoding is exactly its length (a caller
     * encoding a model-sized value every round, into the array of the last round it no longer needs: writing over
     * an array costs less than allocating one), else into a new array. Returns the array written.
     *
     * @param reuse an array the caller no longer reads, or null
     */
    public static byte[] encode(Value value, byte[] reuse) {
        long exact = treeBytes(value, 0);
        if (exact >= 0 && exact <= MAX_ARRAY_BYTES - MAGIC.length - 1) {
            // a tree of structures and tensors (a model, an update): its size is known, so the bytes are written
            // once, straight into the array returned, instead of through a stream's buffer and a copy of it
            int length = MAGIC.length + 1 + (int) exact;
            byte[] bytes = reuse != null && reuse.length == length ? reuse : new byte[length];
            ByteBuffer out = ByteBuffer.wrap(bytes);
            out.put(MAGIC).put((byte) VERSION);
            writeTree(out, value);
            if (out.hasRemaining()) {
                throw new IllegalStateException("a value changed while it was encoded");
            }
            return bytes;
        }
        // sized for the tensors' data up front: a model-sized value is not copied at every doubling of the buffer
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(initialSize(value));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            writeValue(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes one value in this format piece by piece, so that a large structure (a checkpoint's client
     * states) need not be held whole: {@link #beginStruct} announces a structure's field count, then
     * each field is a {@link #name} followed by its content, a {@link #value} or a structure begun the
     * same way. The bytes are exactly {@link #encode}'s for the same value, provided the caller writes
     * as many fields as it announced (the writer cannot check a count it has not seen to the end).
     */
    public static final class StreamWriter {
        private final DataOutputStream out;

        /** Starts a value on {@code out}: writes the format's magic and version. */
        public StreamWriter(java.io.OutputStream out) throws IOException {
            this.out = new DataOutputStream(out);
            this.out.write(MAGIC);
            this.out.writeByte(VERSION);
        }

        /** Begins a structure of {@code fields} fields. */
        public void beginStruct(int fields) throws IOException {
            if (fields < 0) {
                throw new IllegalArgumentException("a structure has at least 0 fields, got " + fields);
            }
            out.writeByte('S');
            out.writeInt(fields);
        }

        /** The next field's name (null: a positional field). */
        public void name(String name) throws IOException {
            writeName(out, name);
        }

        /** A whole value: a field's content, or the top-level value. */
        public void value(Value value) throws IOException {
            writeValue(out, value);
        }

        /** Flushes what was written to the underlying stream. */
        public void flush() throws IOException {
            out.flush();
        }
    }

    /**
     * Reads one value in this format piece by piece from a buffer (a memory-mapped file, say), the reverse of
     * {@link StreamWriter}: {@link #beginStruct} reads a structure's field count, then each field is a {@link #name}
     * followed by its content, read whole with {@link #value} or as a structure begun the same way. So a large
     * structure (a checkpoint's client states) is decoded one field at a time and never held whole. Every piece is
     * checked as {@link #decode} checks it; a structure read this way is not checked for repeated field names (the
     * caller knows what it expects), and {@link #end} checks that nothing trails the value.
     */
    public static final class StreamReader {
        private final ByteBuffer in;

        /** Starts reading the value that fills {@code in} from its position: reads the magic and version. */
        public StreamReader(ByteBuffer in) {
            this.in = in;
            try {
                readMagicAndVersion(in);
            } catch (BufferUnderflowException e) {
                throw truncated(e);
            }
        }

        /**
         * Begins a structure: its field count.
         *
         * @throws MalformedDataException if the next value is not a structure, or is malformed
         */
        public int beginStruct() {
            try {
                int at = in.position();
                int tag = in.get();
                if (tag != 'S') {
                    throw new MalformedDataException("expected a structure ('S') at byte " + at + ", found tag " + tag);
                }
                return readCount(in, 2, "structure field");
            } catch (BufferUnderflowException e) {
                throw truncated(e);
            }
        }

        /** The next field's name (null: a positional field). */
        public String name() {
            try {
                return readName(in);
            } catch (BufferUnderflowException e) {
                throw truncated(e);
            }
        }

        /** A whole value: a field's content. */
        public Value value() {
            try {
                return readValue(in, 1, Reading.NONE);
            } catch (BufferUnderflowException e) {
                throw truncated(e);
            }
        }

        /**
         * Ends the value.
         *
         * @throws MalformedDataException if bytes remain after it
         */
        public void end() {
            if (in.hasRemaining()) {
                throw new MalformedDataException(
                        in.remaining() + " trailing bytes after the value at byte " + in.position());
            }
        }

        private MalformedDataException truncated(BufferUnderflowException e) {
            return new MalformedDataException("truncated fl4j value: input ended at byte " + in.limit(), e);
        }
    }

    /** The largest array a JVM allocates. */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    /**
     * The bytes {@link #writeValue} writes for {@code value} if it is a tree of tensors and structures at most
     * {@link #MAX_DEPTH} deep; -1 otherwise (a sequence is walked once, by the stream encoder).
     */
    private static long treeBytes(Value value, int depth) {
        if (value instanceof Tensor t) {
            // tag, dtype code, rank, the dimensions, the data
            return 3 + 4L * t.rank() + (long) t.size() * Math.max(1, t.dtype().bits() / 8);
        }
        if (value instanceof Struct s && depth < MAX_DEPTH) {
            long sum = 1 + 4;
            for (int i = 0; i < s.size(); i++) {
                String name = s.nameAt(i);
                long field = treeBytes(s.get(i), depth + 1);
                if (field < 0) {
                    return -1;
                }
                sum += (name == null ? 1 : 1 + 2 + name.getBytes(StandardCharsets.UTF_8).length) + field;
            }
            return sum;
        }
        return -1;
    }

    /** {@link #writeValue} for a tree {@link #treeBytes} measured, into a buffer of exactly that size. */
    private static void writeTree(ByteBuffer out, Value value) {
        if (value instanceof Tensor t) {
            out.put((byte) 'T');
            out.put((byte) dtypeCode(t.dtype()));
            int[] shape = t.shape();
            out.put((byte) shape.length);
            for (int d : shape) {
                out.putInt(d);
            }
            putData(out, t);
        } else {
            Struct s = (Struct) value;
            out.put((byte) 'S');
            out.putInt(s.size());
            for (int i = 0; i < s.size(); i++) {
                String name = s.nameAt(i);
                if (name == null) {
                    out.put((byte) 0);
                } else {
                    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
                    out.put((byte) 1);
                    out.putShort((short) utf8.length);
                    out.put(utf8);
                }
                writeTree(out, s.get(i));
            }
        }
    }

    /** Writes {@code t}'s elements big-endian at {@code out}'s position and moves the position past them. */
    private static void putData(ByteBuffer out, Tensor t) {
        int at = out.position();
        switch (t.dtype()) {
            case FLOAT32 -> out.asFloatBuffer().put(t.floatData());
            case FLOAT64 -> out.asDoubleBuffer().put(t.doubleData());
            case INT32 -> out.asIntBuffer().put(t.intData());
            case INT64 -> out.asLongBuffer().put(t.longData());
            case UINT8 -> out.put(t.byteData());
            case BOOL -> {
                for (boolean b : t.boolData()) {
                    out.put((byte) (b ? 1 : 0));
                }
            }
        }
        out.position(at + t.size() * Math.max(1, t.dtype().bits() / 8));
    }

    /** The bytes of {@code value}'s tensors outside sequences, plus room for headers (at most 256 MiB). */
    private static int initialSize(Value value) {
        long bytes = 64 + dataBytes(value, 0);
        return (int) Math.min(bytes, 1 << 28);
    }

    private static long dataBytes(Value value, int depth) {
        if (value instanceof Tensor t) {
            return 16 + 4L * t.rank() + (long) t.size() * Math.max(1, t.dtype().bits() / 8);
        }
        if (value instanceof Struct s && depth < MAX_DEPTH) {
            long sum = 8;
            for (int i = 0; i < s.size(); i++) {
                sum += 8 + dataBytes(s.get(i), depth + 1);
            }
            return sum;
        }
        return 64; // a sequence (not walked twice) or something encode refuses
    }

    /** Decodes bytes written by {@link #encode}. */
    public static Value decode(byte[] bytes) {
        return decode(bytes, null, null);
    }

    /**
     * A decoded value that keeps its bytes and where each of its tensors' elements lie in them, so that bytes
     * differing from these in a few places decode with {@link #decode(byte[], Decoded)} without reading again the
     * tensors whose elements are the same: those are this value's own (tensors are immutable). The clients of one
     * host receive a round's broadcast with each its own position written in; the host decodes the broadcast once
     * and each client reads only its position.
     *
     * <p>The bytes are compared with later ones, not copied: they must not change once decoded.
     */
    public static final class Decoded {
        private final byte[] bytes;
        private final Value value;
        private final Map<Integer, Tensor> tensorsByElementsAt;

        private Decoded(byte[] bytes, Value value, Map<Integer, Tensor> tensorsByElementsAt) {
            this.bytes = bytes;
            this.value = value;
            this.tensorsByElementsAt = tensorsByElementsAt;
        }

        /** The value the bytes hold. */
        public Value value() {
            return value;
        }

        /** The tensor of the same dtype and shape whose elements are {@code bytes[at, at + length)}, if any. */
        private Tensor sameAs(byte[] other, int at, int length, DType dtype, int[] shape) {
            Tensor t = tensorsByElementsAt.get(at);
            if (t == null || t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
                return null;
            }
            return Arrays.equals(other, at, at + length, bytes, at, at + length) ? t : null;
        }
    }

    /** Decodes {@code bytes} as {@link #decode(byte[])} does and keeps them for {@link #decode(byte[], Decoded)}. */
    public static Decoded decodeKept(byte[] bytes) {
        Map<Integer, Tensor> index = new HashMap<>();
        Value v = decode(bytes, null, index);
        return new Decoded(bytes, v, index);
    }

    /**
     * Decodes {@code bytes} as {@link #decode(byte[])} does, with every check, but a tensor whose dtype, shape and
     * element bytes are those of a tensor of {@code like} at the same offset is {@code like}'s tensor, not read
     * again. The value is equal to what {@link #decode(byte[])} returns, whatever the bytes.
     */
    public static Value decode(byte[] bytes, Decoded like) {
        return decode(bytes, Objects.requireNonNull(like, "like"), null);
    }

    private static Value decode(byte[] bytes, Decoded like, Map<Integer, Tensor> index) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            readMagicAndVersion(in);
            Value v = readValue(in, 0, new Reading(bytes, like, index));
            if (in.hasRemaining()) {
                throw new MalformedDataException(
                        in.remaining() + " trailing bytes after the value at byte " + in.position());
            }
            return v;
        } catch (BufferUnderflowException e) {
            throw new MalformedDataException("truncated fl4j value: input ended at byte " + bytes.length, e);
        }
    }

    /**
     * What one decode of a whole array shares between its tensors: the array, the value whose equal tensors it
     * takes ({@code like}, or null) and where it notes its tensors' offsets (null: nowhere).
     */
    private record Reading(byte[] bytes, Decoded like, Map<Integer, Tensor> index) {
        static final Reading NONE = new Reading(null, null, null);
    }

    private static void readMagicAndVersion(ByteBuffer in) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (in.get() != MAGIC[i]) {
                throw new MalformedDataException("not an fl4j value: bad magic at byte " + i);
            }
        }
        int version = in.get() & 0xFF;
        if (version != VERSION) {
            throw new MalformedDataException(
                    "unsupported fl4j value format version " + version + ", this reader knows " + VERSION);
        }
    }

    private static void writeValue(DataOutputStream out, Value value) throws IOException {
        if (value instanceof Tensor t) {
            out.writeByte('T');
            writeTensor(out, t);
        } else if (value instanceof Struct s) {
            out.writeByte('S');
            out.writeInt(s.size());
            for (int i = 0; i < s.size(); i++) {
                writeName(out, s.nameAt(i));
                writeValue(out, s.get(i));
            }
        } else if (value instanceof SequenceValue q) {
            out.writeByte('Q');
            writeType(out, q.elementType());
            List<Value> elements = new ArrayList<>();
            q.forEach(elements::add);
            out.writeInt(elements.size());
            for (Value e : elements) {
                writeValue(out, e);
            }
        } else {
            throw new IllegalArgumentException(
                    "cannot encode " + value.type() + ": only tensors, structures and sequences");
        }
    }

    private static void writeName(DataOutputStream out, String name) throws IOException {
        if (name == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            out.writeShort(utf8.length);
            out.write(utf8);
        }
    }

    private static void writeTensor(DataOutputStream out, Tensor t) throws IOException {
        out.writeByte(dtypeCode(t.dtype()));
        int[] shape = t.shape();
        out.writeByte(shape.length);
        for (int d : shape) {
            out.writeInt(d);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(
                Integer.MAX_VALUE, (long) t.size() * Math.max(1, t.dtype().bits() / 8)));
        putData(buf, t);
        out.write(buf.array());
    }

    private static void writeType(DataOutputStream out, Type type) throws IOException {
        if (type instanceof TensorType t) {
            out.writeByte('t');
            out.writeByte(dtypeCode(t.dtype()));
            int[] shape = t.shape();
            out.writeByte(shape.length);
            for (int d : shape) {
                out.writeInt(d);
            }
        } else if (type instanceof StructType s) {
            out.writeByte('s');
            out.writeInt(s.size());
            for (StructType.Field f : s.fields()) {
                writeName(out, f.name());
                writeType(out, f.type());
            }
        } else if (type instanceof SequenceType q) {
            out.writeByte('q');
            writeType(out, q.element());
        } else {
            throw new IllegalArgumentException("cannot encode type " + type);
        }
    }

    private static int dtypeCode(DType d) {
        for (int i = 0; i < DTYPES.length; i++) {
            if (DTYPES[i] == d) {
                return i;
            }
        }
        throw new IllegalArgumentException("no code for " + d);
    }

    private static DType readDType(ByteBuffer in) {
        int at = in.position();
        int code = in.get() & 0xFF;
        if (code >= DTYPES.length) {
            throw new MalformedDataException("unknown dtype code " + code + " at byte " + at);
        }
        return DTYPES[code];
    }

    private static void checkDepth(int depth, int at) {
        if (depth > MAX_DEPTH) {
            throw new MalformedDataException("nesting deeper than " + MAX_DEPTH + " levels at byte " + at);
        }
    }

    private static Value readValue(ByteBuffer in, int depth, Reading reading) {
        int at = in.position();
        checkDepth(depth, at);
        int tag = in.get();
        return switch (tag) {
            case 'T' -> readTensor(in, at, reading);
            case 'S' -> {
                int n = readCount(in, 2, "structure field");
                Struct.Builder b = Struct.builder();
                Set<String> names = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    int fieldAt = in.position();
                    String name = readName(in);
                    if (name != null && !names.add(name)) {
                        throw new MalformedDataException("duplicate field name '" + name + "' at byte " + fieldAt);
                    }
                    b.add(name, readValue(in, depth + 1, reading));
                }
                yield b.build();
            }
            case 'Q' -> {
                Type element = readType(in, depth + 1);
                int n = readCount(in, 1, "sequence element");
                List<Value> elements = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    int elementAt = in.position();
                    Value v = readValue(in, depth + 1, reading);
                    if (!element.isAssignableFrom(v.type())) {
                        throw new MalformedDataException("sequence element " + i + " at byte " + elementAt
                                + ": expected " + element + " but got " + v.type());
                    }
                    elements.add(v);
                }
                yield ListSequence.of(element, elements);
            }
            default ->
                throw new MalformedDataException(
                        "unknown value tag " + tag + " at byte " + at + ", expected 'T', 'S' or 'Q'");
        };
    }

    /** A count that must fit in what is left, each counted item taking at least {@code minBytesEach} bytes. */
    private static int readCount(ByteBuffer in, int minBytesEach, String what) {
        int at = in.position();
        int n = in.getInt();
        if (n < 0) {
            throw new MalformedDataException("negative " + what + " count " + n + " at byte " + at);
        }
        if ((long) n * minBytesEach > in.remaining()) {
            throw new MalformedDataException(n + " " + what + "s at byte " + at + " need at least "
                    + (long) n * minBytesEach + " bytes but only " + in.remaining() + " remain");
        }
        return n;
    }

    private static String readName(ByteBuffer in) {
        int at = in.position();
        int named = in.get();
        if (named == 0) {
            return null;
        }
        if (named != 1) {
            throw new MalformedDataException("field name flag " + named + " at byte " + at + ", expected 0 or 1");
        }
        int len = in.getShort() & 0xFFFF;
        byte[] utf8 = new byte[len];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static int[] readShape(ByteBuffer in, boolean allowUnknown) {
        int rank = in.get() & 0xFF;
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            int at = in.position();
            shape[i] = in.getInt();
            if (shape[i] < (allowUnknown ? -1 : 0)) {
                throw new MalformedDataException("invalid dimension " + shape[i] + " at byte " + at);
            }
        }
        return shape;
    }

    /** Reads the tensor whose tag was at byte {@code at}, or takes an equal one of {@code reading}'s value. */
    private static Tensor readTensor(ByteBuffer in, int at, Reading reading) {
        DType dtype = readDType(in);
        int[] shape = readShape(in, false);
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new MalformedDataException("tensor at byte " + at + " of shape " + Arrays.toString(shape)
                        + " has more than 2^31-1 elements");
            }
        }
        long bytes = n * Math.max(1, dtype.bits() / 8);
        if (bytes > in.remaining()) {
            throw new MalformedDataException("tensor " + new TensorType(dtype, shape) + " at byte " + at + " needs "
                    + bytes + " bytes but only " + in.remaining() + " remain at byte " + in.position());
        }
        int elementsAt = in.position();
        Tensor known = reading.like() == null
                ? null
                : reading.like().sameAs(reading.bytes(), elementsAt, (int) bytes, dtype, shape);
        Tensor t;
        if (known != null) {
            in.position(elementsAt + (int) bytes);
            t = known;
        } else {
            t = readElements(in, dtype, shape, (int) n, bytes);
        }
        if (reading.index() != null) {
            reading.index().put(elementsAt, t);
        }
        return t;
    }

    /** Reads the elements of a tensor of {@code count} elements ({@code bytes} bytes), checked to fit. */
    private static Tensor readElements(ByteBuffer in, DType dtype, int[] shape, int count, long bytes) {
        Tensor t = switch (dtype) {
            case FLOAT32 -> {
                float[] a = new float[count];
                in.asFloatBuffer().get(a);
                yield Tensor.of(a, shape);
            }
            case FLOAT64 -> {
                double[] a = new double[count];
                in.asDoubleBuffer().get(a);
                yield Tensor.of(a, shape);
            }
            case INT32 -> {
                int[] a = new int[count];
                in.asIntBuffer().get(a);
                yield Tensor.of(a, shape);
            }
            case INT64 -> {
                long[] a = new long[count];
                in.asLongBuffer().get(a);
                yield Tensor.of(a, shape);
            }
            case UINT8 -> {
                byte[] a = new byte[count];
                in.get(a);
                yield Tensor.of(a, shape);
            }
            case BOOL -> {
                boolean[] a = new boolean[count];
                for (int i = 0; i < count; i++) {
                    int byteAt = in.position();
                    int b = in.get();
                    if (b != 0 && b != 1) {
                        throw new MalformedDataException("bool byte " + b + " at byte " + byteAt + ", expected 0 or 1");
                    }
                    a[i] = b == 1;
                }
                yield Tensor.of(a, shape);
            }
        };
        if (dtype != DType.UINT8 && dtype != DType.BOOL) {
            in.position(in.position() + (int) bytes);
        }
        return t;
    }

    private static Type readType(ByteBuffer in, int depth) {
        int at = in.position();
        checkDepth(depth, at);
        int tag = in.get();
        return switch (tag) {
            case 't' -> {
                DType dtype = readDType(in);
                yield new TensorType(dtype, readShape(in, true));
            }
            case 's' -> {
                int n = readCount(in, 2, "structure type field");
                StructType.Builder b = StructType.builder();
                Set<String> names = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    int fieldAt = in.position();
                    String name = readName(in);
                    if (name != null && !names.add(name)) {
                        throw new MalformedDataException("duplicate field name '" + name + "' at byte " + fieldAt);
                    }
                    b.add(name, readType(in, depth + 1));
                }
                yield b.build();
            }
            case 'q' -> new SequenceType(readType(in, depth + 1));
            default ->
                throw new MalformedDataException(
                        "unknown type tag " + tag + " at byte " + at + ", expected 't', 's' or 'q'");
        };
    }
}
