package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.spark.ExecutorSide.BlockOutput;
import dev.fl4j.spark.ExecutorSide.PartitionInput;
import dev.fl4j.spark.ExecutorSide.PassBytes;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

class PassSharesTest {

    private static final PassBytes PASS = new PassBytes(new byte[] {1, 2}, new byte[][] {{3}}, 1);
    private static final List<PartitionInput> INPUTS = List.of(
            new PartitionInput(0, new String[] {"a"}, new byte[][] {{4}}),
            new PartitionInput(1, new String[] {"b"}, new byte[][] {{5}}));

    @Test
    void aTaskInThisJvmReadsTheDriversValuesThemselvesAfterSparkSerializedIt() {
        PassShares shares = PassShares.inThisJvm(PASS, INPUTS);
        try {
            PassShares inTask = roundTrip(shares);
            assertSame(PASS, inTask.pass(), "the pass's bytes, not a copy");
            assertSame(INPUTS.get(1), inTask.input(1));
            assertTrue(inTask.offer(0, Tensor.vector(1.5f)));
            Value retried = Tensor.vector(1.5f);
            assertTrue(inTask.offer(0, retried), "a retried task offers again");
            assertSame(retried, shares.take(0), "the driver takes the later offer, unencoded");
            assertNull(shares.take(0), "taken once");
            assertNull(shares.take(1), "nothing was offered for block 1");
        } finally {
            shares.close();
        }
        assertEquals(0, PassShares.openInThisJvm());
    }

    @Test
    void aTaskOfAClosedPassCannotReadItAndSendsItsPartialEncoded() {
        PassShares shares = PassShares.inThisJvm(PASS, INPUTS);
        PassShares other = PassShares.inThisJvm(PASS, INPUTS);
        PassShares late = roundTrip(shares);
        shares.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, late::pass);
        assertTrue(e.getMessage().contains("after its pass ended"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> late.input(0));
        assertFalse(late.offer(0, Tensor.vector(2f)));
        assertNull(shares.take(0));
        assertTrue(other.offer(3, Tensor.vector(2f)), "closing one pass leaves the others open");
        other.close();
        assertEquals(0, PassShares.openInThisJvm());
    }

    @Test
    void aBlockOutputIsEncodedExactlyWhenTheOfferFails() {
        Value partial = Tensor.vector(1f, -0f, Float.MIN_VALUE);
        PassShares shares = PassShares.inThisJvm(PASS, INPUTS);
        PassShares closed = roundTrip(shares);
        try {
            BlockOutput local = BlockOutput.folded(2, partial, shares, List.of("f"));
            assertTrue(local.handedOver());
            assertNull(local.partial());
            assertEquals(List.of("f"), local.stateFiles());
            assertSame(partial, shares.take(2));
        } finally {
            shares.close();
        }
        BlockOutput late = BlockOutput.folded(2, partial, closed, List.of());
        assertFalse(late.handedOver());
        assertEquals(partial, ValueCodec.decode(late.partial()));
    }

    /** Through the serializer Spark applies to the tasks it ships (to an executor in the same JVM too). */
    private static PassShares roundTrip(PassShares shares) {
        SerializerInstance closures = new JavaSerializer(new SparkConf(false)).newInstance();
        ClassTag<PassShares> tag = ClassTag$.MODULE$.apply(PassShares.class);
        return closures.deserialize(closures.serialize(shares, tag), tag);
    }
}
