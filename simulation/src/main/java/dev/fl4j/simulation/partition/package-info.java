/**
 * Partitioning a centralised labelled dataset over simulated clients (IID, Dirichlet label skew,
 * McMahan's shards, quantity skew), seeded, with a printable summary.
 */
package dev.fl4j.simulation.partition;
