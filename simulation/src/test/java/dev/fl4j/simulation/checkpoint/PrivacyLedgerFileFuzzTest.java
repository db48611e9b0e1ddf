package dev.fl4j.simulation.checkpoint;

import dev.fl4j.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Damaged privacy ledgers are refused with a {@link CheckpointException}, never misread. */
class PrivacyLedgerFileFuzzTest {

    @Test
    void damagedLedgersAreRefusedWithACheckpointException() {
        Path file = Path.of("privacy_ledger.txt");
        Fuzz.named("privacy-ledger")
                .seed("fl4j.privacy_ledger 1\nspent=123\n".getBytes(StandardCharsets.US_ASCII))
                .expecting(CheckpointException.class)
                .inputs(5000)
                .run(bytes -> PrivacyLedgerFile.parse(bytes, file));
    }
}
