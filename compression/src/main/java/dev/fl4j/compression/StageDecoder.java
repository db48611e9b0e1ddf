package dev.fl4j.compression;

/**
 * Decodes one stage of one encoded tensor, holding the side information
 * {@link EncodingStage#readSideInfo} read. Given the stage's output signal (as reconstructed by the
 * later stages), returns the stage's input or its estimate.
 */
@FunctionalInterface
public interface StageDecoder {

    /**
     * @throws MalformedEncodingException if {@code output} is inconsistent with the side information
     *     (wrong length, symbols out of range, a truncated or oversized byte payload)
     */
    Signal decode(Signal output);
}
