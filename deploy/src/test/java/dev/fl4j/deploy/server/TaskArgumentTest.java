package dev.fl4j.deploy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.Payloads;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskArgumentTest {

    private static final Tensor MODEL = Tensor.of(randomFloats(10_000), 100, 100);
    private static final Tensor BIAS = Tensor.of(randomFloats(100), 100);

    private static float[] randomFloats(int n) {
        Random r = new Random(7);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat();
        }
        return a;
    }

    private static Struct chainArgument(int clientIndex, Tensor model) {
        return Struct.builder()
                .add("client_index", Tensor.scalar(clientIndex))
                .add("broadcast_0", model)
                .add("broadcast_1", BIAS)
                .build();
    }

    private static byte[] joined(List<ByteString> chunks) {
        ByteString all = ByteString.EMPTY;
        for (ByteString c : chunks) {
            all = all.concat(c);
        }
        return all.toByteArray();
    }

    @Test
    void argumentsThatDifferOnlyInThePositionShareOneEncodingAndAreEachExactlyTheirOwnBytes() {
        TaskArgument.Encoder encoder = new TaskArgument.Encoder("client_index");
        TaskArgument first = encoder.encode(chainArgument(0, MODEL));
        for (int index : new int[] {1, 9, -1, Integer.MAX_VALUE, 0x01020304}) {
            Struct argument = chainArgument(index, MODEL);
            TaskArgument a = encoder.encode(argument);
            byte[] expected = ValueCodec.encode(argument);
            assertTrue(a.sharesEncodingWith(first), "position " + index);
            assertArrayEquals(expected, a.bytes(), "position " + index);
            assertEquals(expected.length, a.length());
            assertSame(first.sharedSha256(), a.sharedSha256(), "one digest per shared encoding");
            for (int chunk : new int[] {7, 29, 30, 1 << 20}) {
                List<ByteString> chunks = a.sharedChunks(chunk);
                for (ByteString c : chunks) {
                    assertTrue(c.size() <= chunk);
                }
                byte[] sent = joined(chunks);
                assertArrayEquals(Payloads.sha256(sent), a.sharedSha256(), "the digest names the sent bytes");
                byte[] patch = a.patch();
                System.arraycopy(patch, 0, sent, a.patchAt(), patch.length);
                assertArrayEquals(expected, sent, "position " + index + ", chunks of " + chunk + " with the patch");
            }
        }
        assertArrayEquals(ValueCodec.encode(chainArgument(0, MODEL)), first.bytes(), "the shared bytes are unchanged");
    }

    @Test
    void otherValuesOrAForgottenEncodingAreEncodedAfresh() {
        TaskArgument.Encoder encoder = new TaskArgument.Encoder("client_index");
        TaskArgument first = encoder.encode(chainArgument(0, MODEL));
        Tensor equalButAnotherObject = Tensor.of(MODEL.floatData().clone(), 100, 100);
        TaskArgument other = encoder.encode(chainArgument(1, equalButAnotherObject));
        assertFalse(other.sharesEncodingWith(first));
        assertFalse(Arrays.equals(first.sharedSha256(), other.sharedSha256()), "another position, another digest");
        assertArrayEquals(ValueCodec.encode(chainArgument(1, equalButAnotherObject)), other.bytes());
        encoder.forget();
        assertFalse(encoder.encode(chainArgument(2, equalButAnotherObject)).sharesEncodingWith(other));
        Struct noPosition = Struct.builder().add("broadcast_0", MODEL).build();
        TaskArgument plain = encoder.encode(noPosition);
        assertFalse(encoder.encode(noPosition).sharesEncodingWith(plain));
        assertArrayEquals(ValueCodec.encode(noPosition), plain.bytes());
    }
}
