package dev.fl4j.cli.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fl4j.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --personalization} strategies: every input ends in a strategy or an {@link IllegalArgumentException}, never
 * another exception; a strategy's canonical text reads back as the same strategy and makes its fine-tuning.
 */
class PersonalizationSpecFuzzTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void strategies() {
        Fuzz.named("personalization spec")
                .seed(utf8("sgd_1:1:0.01"))
                .seed(utf8("mom:3:0.02:sgdm:0.9"))
                .seed(utf8("ad:2:1e-3:adam:0.9:0.999:1e-7"))
                .expecting(IllegalArgumentException.class)
                .inputs(3_000)
                .run(input -> {
                    PersonalizationSpec p = PersonalizationSpec.parse(new String(input, StandardCharsets.UTF_8));
                    PersonalizationSpec again;
                    try {
                        again = PersonalizationSpec.parse(p.text());
                    } catch (IllegalArgumentException e) {
                        throw new AssertionError(p.text() + " does not read back: " + e.getMessage(), e);
                    }
                    if (!again.equals(p)) {
                        throw new AssertionError(p.text() + " reads back as " + again);
                    }
                    p.fineTuning();
                    p.describe();
                });
    }

    @Test
    void formsAsDocumented() {
        assertEquals(
                List.of(
                        new PersonalizationSpec("a", 1, 0.01f, "sgd"),
                        new PersonalizationSpec("b_2", 2, 0.5f, "sgdm:0.9")),
                PersonalizationSpec.parseAll(List.of("a:1:0.01", " b_2 : 2 : 0.5 : SGDM:0.9 ")));
        assertEquals("b_2:2:0.5:sgdm:0.9", new PersonalizationSpec("b_2", 2, 0.5f, "sgdm:0.9").text());
    }
}
