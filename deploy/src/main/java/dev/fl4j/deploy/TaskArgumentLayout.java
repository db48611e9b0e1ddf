package dev.fl4j.deploy;

import com.google.protobuf.ByteString;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.protocol.TaskHeader;

/**
 * How a task header says its argument is made: {@code argument_bytes} long, the shared bytes whose SHA-256
 * it names with the task's own patch written over them. {@link #of} checks the header's fields against the
 * protocol's and the client's limits before anything is fetched or allocated; {@link #applyTo} makes the
 * task's own bytes from the shared ones. Each violation is a {@link RejectedMessageException} with its
 * reason ({@link Rejection#OVERSIZED}, {@link Rejection#MALFORMED}).
 *
 * @param length the argument's length in bytes
 * @param sha256 the SHA-256 of the shared bytes (32 bytes)
 * @param patchAt where the patch starts
 * @param patch the task's own bytes
 */
public record TaskArgumentLayout(int length, ByteString sha256, int patchAt, ByteString patch) {

    /**
     * The layout {@code task} declares, within {@code maxBytes}.
     *
     * @param what what the argument is, for messages ("task 3f…")
     */
    public static TaskArgumentLayout of(TaskHeader task, long maxBytes, String what) {
        long length = task.getArgumentBytes();
        if (length < 0 || length > maxBytes || length > Integer.MAX_VALUE - 8) {
            throw new RejectedMessageException(
                    Rejection.OVERSIZED,
                    what + " declares an argument of " + Long.toUnsignedString(length) + " bytes, above the limit of "
                            + maxBytes + " bytes");
        }
        if (task.getArgumentSha256().size() != 32) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED,
                    what + ": an argument digest is a SHA-256 (32 bytes), got "
                            + task.getArgumentSha256().size());
        }
        ByteString patch = task.getArgumentPatch();
        if (patch.size() > ProtocolLimits.MAX_ARGUMENT_PATCH_BYTES) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED,
                    what + ": an argument patch of " + patch.size() + " bytes is above the limit of "
                            + ProtocolLimits.MAX_ARGUMENT_PATCH_BYTES + " bytes");
        }
        long patchAt = task.getArgumentPatchAt();
        if (patchAt < 0 || patchAt > length - patch.size()) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED,
                    what + ": a patch of " + patch.size() + " bytes at " + Long.toUnsignedString(patchAt)
                            + " does not lie within the argument's " + length + " bytes");
        }
        return new TaskArgumentLayout((int) length, task.getArgumentSha256(), (int) patchAt, patch);
    }

    /**
     * The task's own argument: {@code shared} with the patch written in, in {@code reuse} when it has the
     * argument's length (a client's array from its previous task: a model-sized array allocated afresh every
     * round costs more than copying into one that exists, and is a humongous object for G1), else in a new
     * array. {@code shared} is not written, unless it is {@code reuse} (a client that downloaded the shared bytes
     * into its own array): then the patch is written over it in place.
     *
     * @param reuse an array the caller no longer needs, or null
     */
    public byte[] applyTo(byte[] shared, byte[] reuse, String what) {
        if (shared.length != length) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED,
                    what + " declares an argument of " + length + " bytes; its shared bytes are " + shared.length);
        }
        byte[] own = reuse != null && reuse.length == length ? reuse : new byte[length];
        if (own != shared) {
            System.arraycopy(shared, 0, own, 0, length);
        }
        patch.copyTo(own, patchAt);
        return own;
    }
}
