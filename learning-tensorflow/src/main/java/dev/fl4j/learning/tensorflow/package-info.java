/**
 * The TensorFlow Java engine (module {@code learning-tensorflow}): {@link dev.fl4j.learning.tensorflow.TfEngine},
 * registered as a {@link java.util.ServiceLoader} provider of {@link dev.fl4j.learning.model.ModelEngine},
 * {@link dev.fl4j.learning.tensorflow.TfModel} and {@link dev.fl4j.learning.tensorflow.TfClientTrainer}.
 * Graphs use only ops with C++ gradients; sessions run on one intra-op and one inter-op thread. The
 * native library comes from {@code tensorflow-core-native} with the build platform's classifier.
 */
package dev.fl4j.learning.tensorflow;
