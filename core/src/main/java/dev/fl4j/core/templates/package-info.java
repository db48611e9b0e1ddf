/**
 * TFF's process templates: {@link dev.fl4j.core.templates.IterativeProcess} ({@code initialize} and
 * {@code next}), {@link dev.fl4j.core.templates.MeasuredProcess},
 * {@link dev.fl4j.core.templates.AggregationProcess} and {@link dev.fl4j.core.templates.EstimationProcess}.
 * A template checks its computations' types and placements when it is built, so a process that cannot
 * work fails at construction with a {@link dev.fl4j.core.templates.TemplateException} naming the misfit,
 * not in the middle of a round. Aggregators and learning algorithms are built from these.
 */
package dev.fl4j.core.templates;
