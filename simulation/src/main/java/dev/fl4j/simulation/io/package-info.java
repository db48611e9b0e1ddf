/** File helpers shared by the simulation module: atomic replacement of files. */
package dev.fl4j.simulation.io;
