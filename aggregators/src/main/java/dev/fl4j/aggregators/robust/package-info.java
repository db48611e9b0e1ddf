/**
 * Byzantine-robust statistics over client updates given as {@code float[n][d]}: coordinate-wise
 * median, coordinate-wise trimmed mean, Krum and multi-Krum. Each states how many faulty clients it
 * tolerates ({@link dev.fl4j.aggregators.robust.RobustAggregator#maxFaultyClients}) and rejects
 * settings where no guarantee is possible.
 */
package dev.fl4j.aggregators.robust;
