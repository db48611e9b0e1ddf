package dev.fl4j.cli.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.learning.optimizers.Adagrad;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.RmsProp;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.optimizers.Yogi;
import org.junit.jupiter.api.Test;

/** Every {@code --client-optimizer} form becomes the library's optimizer with the hyperparameters written. */
class OptimizerSpecTest {

    @Test
    void eachFormIsTheLibrarysOptimizer() {
        assertEquals(Sgd.of(0.1f), OptimizerSpec.parse("client-optimizer", "sgd", 0.1f, 0f));
        assertEquals(Sgd.of(0.1f).withMomentum(0.9f), OptimizerSpec.parse("client-optimizer", "sgdm:0.9", 0.1f, 0f));
        assertEquals(
                Sgd.of(0.1f).withNesterov(0.5f).withWeightDecay(1e-4f),
                OptimizerSpec.parse("client-optimizer", " Nesterov:0.5 ", 0.1f, 1e-4f));
        assertEquals(Adam.of(0.01f), OptimizerSpec.parse("server-optimizer", "adam", 0.01f, 0f));
        assertEquals(new Adam(0.01f, 0.8f, 0.99f, 1e-7f, 0f), OptimizerSpec.parse("o", "adam:0.8:0.99", 0.01f, 0f));
        assertEquals(
                new Adam(0.01f, 0.8f, 0.99f, 1e-3f, 0.5f), OptimizerSpec.parse("o", "adam:0.8:0.99:1e-3", 0.01f, 0.5f));
        assertEquals(Yogi.of(0.01f), OptimizerSpec.parse("o", "yogi", 0.01f, 0f));
        assertEquals(
                new Yogi(0.01f, 0.5f, 0.9f, 1e-3f, 1e-6f, 0f), OptimizerSpec.parse("o", "yogi:0.5:0.9", 0.01f, 0f));
        assertEquals(Adagrad.of(0.1f), OptimizerSpec.parse("o", "adagrad", 0.1f, 0f));
        assertEquals(new Adagrad(0.1f, 0f, 1e-7f, 0f), OptimizerSpec.parse("o", "adagrad:0", 0.1f, 0f));
        assertEquals(RmsProp.of(0.1f), OptimizerSpec.parse("o", "rmsprop", 0.1f, 0f));
        assertEquals(new RmsProp(0.1f, 0.5f, 1e-6f, 0f), OptimizerSpec.parse("o", "rmsprop:0.5:1e-6", 0.1f, 0f));
    }

    @Test
    void badFormsNameTheOptionAndTheForms() {
        SpecException e =
                assertThrows(SpecException.class, () -> OptimizerSpec.parse("client-optimizer", "sgd:1", 1f, 0f));
        assertTrue(e.getMessage().contains("'sgd' takes 0 argument(s)"), e.getMessage());
        e = assertThrows(SpecException.class, () -> OptimizerSpec.parse("client-optimizer", "adam:x:0.9", 1f, 0f));
        assertTrue(e.getMessage().contains("BETA1 must be a number, got 'x'"), e.getMessage());
        e = assertThrows(SpecException.class, () -> OptimizerSpec.parse("client-optimizer", "rmsprop:1", 1f, 0f));
        assertTrue(e.getMessage().contains("RMSprop decay must be in [0, 1), got 1.0"), e.getMessage());
        e = assertThrows(SpecException.class, () -> OptimizerSpec.parse("server-optimizer", "", 1f, 0f));
        assertTrue(e.getMessage().contains("server-optimizer"), e.getMessage());
    }
}
