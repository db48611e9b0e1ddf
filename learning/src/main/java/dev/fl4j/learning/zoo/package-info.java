/**
 * The model zoo: ready model descriptions from the federated learning literature ({@link
 * dev.fl4j.learning.zoo.Models}).
 */
package dev.fl4j.learning.zoo;
