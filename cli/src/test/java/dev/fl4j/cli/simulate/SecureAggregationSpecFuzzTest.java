package dev.fl4j.cli.simulate;

import dev.fl4j.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code --secure-aggregation} and {@code --secagg-dropouts} values: every input ends in a protocol or in a
 * {@link UsageException}, never another exception.
 */
class SecureAggregationSpecFuzzTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void secureAggregationSpecs() {
        Fuzz.named("secure-aggregation spec")
                .seed(utf8("secagg+:11:6"))
                .seed(utf8("secagg+:0.5:0.75"))
                .seed(utf8("secagg+:31"))
                .seed(utf8("plain"))
                .expecting(UsageException.class)
                .inputs(3_000)
                .run(input -> SecureAggregationSpec.parse(new String(input, StandardCharsets.UTF_8), null, 1)
                        .ifPresent(p -> p.name()));
    }

    @Test
    void dropoutSpecs() {
        Fuzz.named("secagg-dropouts spec")
                .seed(utf8("0.1@masked-input"))
                .seed(utf8("0.05@advertise-keys,0.1@share-keys,0.2@unmasking"))
                .seed(utf8("1e-1@masked-input, 0@unmasking"))
                .expecting(UsageException.class)
                .inputs(3_000)
                .run(input -> SecureAggregationSpec.parse("secagg+:5", new String(input, StandardCharsets.UTF_8), 1));
    }
}
