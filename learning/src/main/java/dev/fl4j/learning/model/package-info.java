/**
 * The engine-neutral model contract (DESIGN seam 3): {@link dev.fl4j.learning.model.VariableModel}
 * (TFF's {@code VariableModel}), {@link dev.fl4j.learning.model.ModelWeights}, the per-worker
 * {@link dev.fl4j.learning.model.ClientTrainer} with its results, the shippable
 * {@link dev.fl4j.learning.model.TrainingSpec}, and {@link dev.fl4j.learning.model.ModelEngine}, the
 * factory an engine provides. Only core values appear in these signatures.
 */
package dev.fl4j.learning.model;
