package dev.fl4j.core;

/** Where a federated value lives: on the server, or spread over the clients. */
public enum Placement {
    SERVER,
    CLIENTS;
}
