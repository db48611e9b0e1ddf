/** Ready model descriptions from the federated learning literature ({@link dev.fl4j.learning.models.Models}). */
package dev.fl4j.learning.models;
