/**
 * JMH microbenchmarks of the hot paths that a round repeats per client or per round: encoding and
 * decoding the largest tensor of the FedAvg CNN under each compression preset, and the local runtime's
 * weighted {@code federated_mean} of a full model update. Each class's javadoc gives the command that
 * runs it.
 */
package dev.fl4j.bench.jmh;
