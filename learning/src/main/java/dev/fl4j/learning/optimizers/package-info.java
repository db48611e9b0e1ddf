/**
 * Functional optimizers with explicit state, as {@code tff.learning.optimizers}: SGD (momentum,
 * Nesterov), Adam, Adagrad, Yogi, RMSprop. Usable as server optimizers (in Java) and as client
 * optimizers (compiled into the engine's training step).
 */
package dev.fl4j.learning.optimizers;
