package dev.fl4j.deploy.server;

import com.google.protobuf.ByteString;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.Chunks;
import dev.fl4j.deploy.Payloads;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A task's argument bytes, as one encoding shared by the tasks of a pass with a few bytes of this task's own
 * written over it: every client of a pass is sent the same broadcast values and only its position differs, so
 * the model is encoded once per pass instead of once per client, and a task holds only its own few bytes, not a
 * model-sized array. The bytes are exactly those of encoding the task's own
 * argument (the pass's {@code RemoteRuntime} builds them so); the shared array is never written.
 *
 * <p>A client is sent its task's patch and the SHA-256 of the shared bytes, and fetches the shared bytes
 * themselves only if its host does not hold them yet (the clients of a host download a round's broadcast once);
 * the digest is computed once per shared encoding, when a task first needs it.
 */
final class TaskArgument {

    private final Shared shared;
    private final int patchAt;
    private final byte[] patch;

    /** An encoding the tasks of a pass share, with its SHA-256 once asked for. */
    private static final class Shared {
        final byte[] bytes;
        private byte[] sha256;

        Shared(byte[] bytes) {
            this.bytes = bytes;
        }

        synchronized byte[] sha256() {
            if (sha256 == null) {
                sha256 = Payloads.sha256(bytes);
            }
            return sha256;
        }
    }

    private TaskArgument(Shared shared, int patchAt, byte[] patch) {
        if (patchAt < 0 || patchAt + patch.length > shared.bytes.length) {
            throw new IllegalArgumentException("a patch of " + patch.length + " bytes at " + patchAt
                    + " does not lie within the " + shared.bytes.length + " bytes it patches");
        }
        this.shared = shared;
        this.patchAt = patchAt;
        this.patch = patch.clone();
    }

    /** {@code bytes} as they are. */
    static TaskArgument of(byte[] bytes) {
        return new TaskArgument(new Shared(bytes), 0, new byte[0]);
    }

    int length() {
        return shared.bytes.length;
    }

    /** The SHA-256 of the shared bytes (computed once per encoding). */
    byte[] sharedSha256() {
        return shared.sha256();
    }

    /** Where this task's own bytes are written over the shared ones. */
    int patchAt() {
        return patchAt;
    }

    /** This task's own bytes (a copy). */
    byte[] patch() {
        return patch.clone();
    }

    /**
     * The shared bytes in pieces of at most {@code chunkBytes}, as {@link Chunks#split} cuts them: views, not
     * copies.
     */
    List<ByteString> sharedChunks(int chunkBytes) {
        return Chunks.split(shared.bytes, chunkBytes);
    }

    /** The whole argument in one new array. */
    byte[] bytes() {
        byte[] out = shared.bytes.clone();
        System.arraycopy(patch, 0, out, patchAt, patch.length);
        return out;
    }

    /** Whether this argument's bytes are written over the same shared array as {@code other}'s. */
    boolean sharesEncodingWith(TaskArgument other) {
        return shared == other.shared;
    }

    /**
     * Encodes the arguments of a pass's tasks, sharing one encoding among those that differ only in the
     * client's position: an argument whose first field is the int32 scalar {@code positionField} and whose other
     * fields are the same value objects (values are immutable) under the same names as the last one encoded is
     * the last encoding with the 4 bytes of the position written over. Anything else is encoded whole.
     */
    static final class Encoder {
        private final String positionField;
        /** Where the position's 4 bytes lie in an encoding whose first field is the position. */
        private final int positionAt;

        private Struct last;
        private Shared lastShared;

        Encoder(String positionField) {
            this.positionField = positionField;
            byte[] alone = ValueCodec.encode(
                    Struct.builder().add(positionField, Tensor.scalar(0)).build());
            this.positionAt = alone.length - Integer.BYTES;
        }

        /** {@code argument}'s bytes, exactly {@link ValueCodec#encode}'s. */
        synchronized TaskArgument encode(Struct argument) {
            Integer position = position(argument);
            if (position != null && last != null && sameButPosition(argument)) {
                return new TaskArgument(
                        lastShared,
                        positionAt,
                        ByteBuffer.allocate(Integer.BYTES).putInt(position).array());
            }
            byte[] bytes = ValueCodec.encode(argument);
            boolean shareable = position != null
                    && bytes.length >= positionAt + Integer.BYTES
                    && ByteBuffer.wrap(bytes).getInt(positionAt) == position;
            TaskArgument whole = of(bytes);
            last = shareable ? argument : null;
            lastShared = shareable ? whole.shared : null;
            return whole;
        }

        /** Forgets the last encoding (a new round attempt starts). */
        synchronized void forget() {
            last = null;
            lastShared = null;
        }

        private Integer position(Struct argument) {
            if (argument.size() == 0 || !positionField.equals(argument.nameAt(0))) {
                return null;
            }
            Value v = argument.get(0);
            if (v instanceof Tensor t && t.dtype() == DType.INT32 && t.rank() == 0) {
                return t.intData()[0];
            }
            return null;
        }

        private boolean sameButPosition(Struct argument) {
            if (argument.size() != last.size()) {
                return false;
            }
            for (int i = 1; i < argument.size(); i++) {
                if (argument.get(i) != last.get(i) || !Objects.equals(argument.nameAt(i), last.nameAt(i))) {
                    return false;
                }
            }
            return true;
        }
    }
}
