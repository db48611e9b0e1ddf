package dev.fl4j.learning.model;

import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import java.util.Optional;

/**
 * A trained model as an engine wrote it for use outside fl4j ({@link ModelEngine#exportModel}), opened again through
 * that format's own loader ({@link ModelEngine#openExported}). Everything it answers comes from the exported files:
 * the input and label types and the loss are read from the exported signatures, not from a
 * {@link dev.fl4j.learning.keras.ModelSpec}, so a model that opens and predicts here is one the format's other
 * readers can use too.
 *
 * <p>Inputs are checked before they reach the engine: a feature tensor of the wrong shape or dtype, or one holding a
 * NaN or an infinity, is refused with an {@link IllegalArgumentException} naming the row and feature. An exported
 * model holds native resources: close it. Not thread safe.
 */
public interface ExportedModel extends AutoCloseable {

    /** The features {@code x} of one batch, the batch dimension unknown ({@code -1}). */
    TensorType inputType();

    /** The labels {@code y} the evaluation takes, the batch dimension unknown. */
    TensorType labelType();

    /**
     * The number of classes when the model is a classifier (it has class probabilities and an accuracy), else empty.
     */
    Optional<Integer> classes();

    /**
     * The model's outputs for a batch of features.
     *
     * @throws IllegalArgumentException if {@code x} does not have {@link #inputType()} or holds a non-finite value
     */
    Prediction predict(Tensor x);

    /**
     * The loss and, for a classifier, the correct predictions on one batch, computed by the exported evaluation
     * signature with the ops training evaluated with.
     *
     * @throws IllegalArgumentException if {@code x} or {@code y} does not fit, {@code x} holds a non-finite value or a
     *                                  label is not a class
     */
    BatchEvaluation evaluate(Tensor x, Tensor y);

    /**
     * The exported weights, read from the export's own variables by the weight names of {@code weightsType} (a
     * model's {@code <trainable=<...>,non_trainable=<...>>}), so training can start from them ({@code --init}).
     *
     * @throws IllegalArgumentException naming the first weight that is missing, of another shape or dtype, or extra
     *                                  in {@code weightsType}'s non-trainable part (exports hold trainable weights)
     */
    ModelWeights weights(StructType weightsType);

    @Override
    void close();

    /**
     * What a batch of features gives.
     *
     * @param outputs       the model's last layer, as training saw it (logits for a loss {@code from_logits})
     * @param probabilities per class, for a classifier ({@code softmax} of logits); else null
     * @param classes       the most probable class of each example (int32; the first on ties), for a classifier;
     *                      else null
     */
    record Prediction(Tensor outputs, Tensor probabilities, Tensor classes) {}

    /**
     * One batch's evaluation.
     *
     * @param loss     the batch's mean loss
     * @param examples the examples in the batch
     * @param correct  labels predicted correctly (every label of a sequence counts), 0 for a model that is not a
     *                 classifier
     * @param labels   labels compared, 0 for a model that is not a classifier
     */
    record BatchEvaluation(double loss, long examples, long correct, long labels) {}
}
