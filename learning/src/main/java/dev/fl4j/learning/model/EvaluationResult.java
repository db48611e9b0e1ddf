package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;

/** Inference-mode metrics over a client's data: number of examples and unfinalized metric states. */
public record EvaluationResult(long numExamples, Struct unfinalizedMetrics) {}
