/**
 * Federated learning on top of the core: model specs, optimizers, the learning algorithms and their
 * templates. Model engines are found with {@link java.util.ServiceLoader}
 * ({@link dev.fl4j.learning.model.ModelEngine}); the client-training computation is provided as a
 * {@link dev.fl4j.core.computation.ComputationFactory} so another JVM can rebuild it from its descriptor.
 *
 * <p>The packages whose classes Jackson binds from JSON (model, optimizer and training specs) are
 * opened to {@code com.fasterxml.jackson.databind} only.
 */
module dev.fl4j.learning {
    requires transitive dev.fl4j.core;
    requires transitive dev.fl4j.compression;
    requires transitive dev.fl4j.aggregators;
    requires com.fasterxml.jackson.databind;

    exports dev.fl4j.learning.algorithms;
    exports dev.fl4j.learning.keras;
    exports dev.fl4j.learning.model;
    exports dev.fl4j.learning.zoo;
    exports dev.fl4j.learning.optimizers;
    exports dev.fl4j.learning.templates;

    opens dev.fl4j.learning.keras to
            com.fasterxml.jackson.databind;
    opens dev.fl4j.learning.model to
            com.fasterxml.jackson.databind;
    opens dev.fl4j.learning.optimizers to
            com.fasterxml.jackson.databind;

    uses dev.fl4j.learning.model.ModelEngine;

    provides dev.fl4j.core.computation.ComputationFactory with
            dev.fl4j.learning.algorithms.ClientTraining.Factory,
            dev.fl4j.learning.algorithms.ClientTrainingVariant.Factory,
            dev.fl4j.learning.algorithms.ClientWorks.Factory,
            dev.fl4j.learning.algorithms.FedKMeans.Factory,
            dev.fl4j.learning.algorithms.PersonalizationEvaluation.Factory,
            dev.fl4j.learning.algorithms.ReconstructionTraining.Factory,
            dev.fl4j.learning.templates.EncodedDistribution.DecodeFactory,
            dev.fl4j.learning.templates.DeltaDistribution.ClientStepFactory,
            dev.fl4j.learning.templates.FromInitDistribution.DecodeFactory;
}
