package dev.fl4j.simulation.datasets;

import dev.fl4j.simulation.data.Examples;

/** A centralised dataset's training and test examples. */
public record TrainTest(Examples train, Examples test) {}
