/** Numerical kernels behind {@link dev.fl4j.privacy}; not for use outside the aggregators module. */
package dev.fl4j.privacy.internal;
