package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;

/**
 * A client's mean gradient for FedSGD: {@code meanGradient} has the structure of the trainable
 * weights and is the sum over examples of the per-example loss gradients divided by
 * {@code numExamples} (zeros when the client has no examples).
 */
public record GradientResult(Struct meanGradient, long numExamples, Struct unfinalizedMetrics) {}
