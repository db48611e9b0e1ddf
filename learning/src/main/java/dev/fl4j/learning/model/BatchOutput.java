package dev.fl4j.learning.model;

import dev.fl4j.core.Tensor;

/**
 * The result of a forward pass over one batch, TFF's {@code BatchOutput}: the batch's mean loss
 * (float32 scalar), the model's predictions (the last layer's output, e.g. logits
 * {@code float32[b,classes]}) and the number of examples (rows) in the batch.
 */
public record BatchOutput(Tensor loss, Tensor predictions, long numExamples) {}
