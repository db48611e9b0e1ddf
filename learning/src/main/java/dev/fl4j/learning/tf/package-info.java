/**
 * The TensorFlow Java engine: {@link dev.fl4j.learning.tf.TfEngine},
 * {@link dev.fl4j.learning.tf.TfModel}, {@link dev.fl4j.learning.tf.TfClientTrainer} and the
 * {@link dev.fl4j.learning.tf.RawThroughput} measurement. Graphs use only ops with C++ gradients;
 * sessions run on one intra-op and one inter-op thread.
 */
package dev.fl4j.learning.tf;
