/**
 * The parts a learning process is composed of, TFF's {@code tff.learning.templates}: a
 * {@link dev.fl4j.learning.templates.DistributionProcess} delivers the model to the clients, a
 * {@link dev.fl4j.learning.templates.ClientWorkProcess} trains on each, an aggregation process (from the
 * aggregators module) combines the updates and a {@link dev.fl4j.learning.templates.FinalizerProcess}
 * makes the next global model. {@link dev.fl4j.learning.templates.LearningProcess} checks that the parts
 * fit when it composes them and groups each round's metrics by the part that produced them.
 */
package dev.fl4j.learning.templates;
