/**
 * Client data for simulations, TFF's {@code tff.simulation.datasets.ClientData} and the part of
 * {@code tf.data} a client uses. {@link dev.fl4j.simulation.data.Examples} holds examples column by
 * column in flat primitive arrays; {@link dev.fl4j.simulation.data.Dataset} is a lazy, restartable
 * pipeline over them (shuffle, repeat, batch, map, take) that is a core
 * {@link dev.fl4j.core.SequenceValue}; {@link dev.fl4j.simulation.data.ClientData} is a population
 * of clients loaded on demand, handed to a federated computation with
 * {@link dev.fl4j.simulation.data.ClientData#clientValues(java.util.List)}.
 */
package dev.fl4j.simulation.data;
