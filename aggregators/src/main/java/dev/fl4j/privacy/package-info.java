/**
 * Differential privacy for federated aggregation, as engine-neutral math the aggregation factories
 * wrap: Rényi-DP accounting of the sampled Gaussian mechanism ({@link dev.fl4j.privacy.RdpAccountant},
 * {@link dev.fl4j.privacy.PrivacyBudget}, {@link dev.fl4j.privacy.PrivacyCalculator}), Gaussian
 * noise from a cryptographically secure source ({@link dev.fl4j.privacy.GaussianNoise}), and
 * quantile estimation for adaptive clipping and zeroing ({@link dev.fl4j.privacy.QuantileEstimator},
 * {@link dev.fl4j.privacy.PrivateQuantileEstimator}, {@link dev.fl4j.privacy.AdaptiveClippingNoise}).
 */
package dev.fl4j.privacy;
