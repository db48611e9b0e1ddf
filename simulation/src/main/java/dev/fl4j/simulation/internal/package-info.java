/** Implementation details of the simulation module; not API. */
package dev.fl4j.simulation.internal;
