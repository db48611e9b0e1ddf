/**
 * Runnable ports of TFF's tutorials ({@link dev.fl4j.examples.Tutorials} lists them, {@code ./fl4j example}
 * runs them): the Federated Core's temperature average, federated softmax and image classification with
 * FedAvg, compression and recommended aggregations. They use only the exported API of the other modules,
 * so they double as a check that the public API is enough to write such programs.
 */
package dev.fl4j.examples;
