/**
 * The TensorFlow Java model engine. TensorFlow Java 1.1.0 ships module descriptors of its own
 * ({@code tensorflow}, {@code tensorflow.nativelib}, {@code org.tensorflow.ndarray}); this module reads
 * them but exposes none of their types, so users of fl4j never see TensorFlow.
 */
module dev.fl4j.learning.tensorflow {
    requires transitive dev.fl4j.learning;
    requires tensorflow;

    exports dev.fl4j.learning.tensorflow;

    provides dev.fl4j.learning.model.ModelEngine with
            dev.fl4j.learning.tensorflow.TfEngine;
}
