package dev.fl4j.privacy;

/**
 * How DP with adaptive clipping shares one noise budget between the clipped sum and the private
 * quantile estimate of the clipping norm (Andrew et al. 2019, section 3; TFF's
 * {@code adaptive_clip_noise_params} behind {@code DifferentiallyPrivateFactory.gaussian_adaptive}).
 *
 * <h2>Math</h2>
 * Each round releases two Gaussian sums over the same sampled clients: the clipped updates
 * (sensitivity {@code C}, noise {@code z_Δ·C}) and the shifted below-clip count (sensitivity 1/2,
 * noise {@code σ_b}, i.e. noise multiplier {@code 2σ_b}). Their joint release is one Gaussian
 * mechanism whose noise multiplier {@code z} satisfies
 * <pre>  z⁻² = z_Δ⁻² + (2σ_b)⁻²</pre>
 * (Gaussian RDP {@code α/(2z²)} adds in {@code z⁻²}). Given the total {@code z} to account with
 * (the number an {@link RdpAccountant} composes each round) and {@code σ_b}, the noise on the
 * updates must therefore be {@code z_Δ = (z⁻² - (2σ_b)⁻²)^(-1/2)}, which needs {@code z < 2σ_b}.
 * TFF's default is {@code σ_b = 0.05 × expected clients per round}.
 *
 * @param noiseMultiplier the total (effective) noise multiplier {@code z}
 * @param valueNoiseMultiplier {@code z_Δ}, to apply to the clipped sum; >= {@code z}
 * @param clippedCountStddev {@code σ_b}, to apply to the below-clip count
 */
public record AdaptiveClippingNoise(double noiseMultiplier, double valueNoiseMultiplier, double clippedCountStddev) {

    /** TFF's default count noise relative to the expected number of clients per round. */
    public static final double DEFAULT_COUNT_STDDEV_PER_CLIENT = 0.05;

    /** The split with TFF's default {@code σ_b = 0.05 × expectedClientsPerRound} (0 when {@code z = 0}). */
    public static AdaptiveClippingNoise split(double noiseMultiplier, double expectedClientsPerRound) {
        checkClients(expectedClientsPerRound);
        double countStddev = noiseMultiplier > 0 ? DEFAULT_COUNT_STDDEV_PER_CLIENT * expectedClientsPerRound : 0.0;
        return split(noiseMultiplier, expectedClientsPerRound, countStddev);
    }

    /**
     * The split for an explicit {@code σ_b}. With {@code z = 0} (no privacy) the value noise is 0
     * too.
     *
     * @throws IllegalArgumentException if {@code z >= 2σ_b} (the count alone would already need
     *     more than the whole budget), or a parameter is negative or not finite
     */
    public static AdaptiveClippingNoise split(
            double noiseMultiplier, double expectedClientsPerRound, double clippedCountStddev) {
        if (!(noiseMultiplier >= 0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noise multiplier must be finite and >= 0, got " + noiseMultiplier);
        }
        checkClients(expectedClientsPerRound);
        if (!(clippedCountStddev >= 0 && clippedCountStddev < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "clipped count stddev must be finite and >= 0, got " + clippedCountStddev);
        }
        if (noiseMultiplier == 0) {
            return new AdaptiveClippingNoise(0.0, 0.0, clippedCountStddev);
        }
        if (noiseMultiplier >= 2 * clippedCountStddev) {
            throw new IllegalArgumentException("clipped count stddev " + clippedCountStddev
                    + " is too low for noise multiplier " + noiseMultiplier + ": need noise multiplier < 2 × stddev = "
                    + 2 * clippedCountStddev + " (the default stddev is 0.05 × clients per round = 0.05 × "
                    + expectedClientsPerRound + "); raise the stddev or the clients per round, or lower the noise");
        }
        double inverseSquare =
                1 / (noiseMultiplier * noiseMultiplier) - 1 / (4 * clippedCountStddev * clippedCountStddev);
        return new AdaptiveClippingNoise(noiseMultiplier, 1 / Math.sqrt(inverseSquare), clippedCountStddev);
    }

    /**
     * {@code z_Δ} for a round that releases, besides the clipped sum, several noised counts over the
     * same sampled clients, each of sensitivity 1/2 with noise {@code σ_i} (the below-clip count of
     * adaptive clipping, the below-bound count of a private adaptive zeroing bound): the same
     * argument as above gives {@code z⁻² = z_Δ⁻² + Σ (2σ_i)⁻²}, so every count is inside the one
     * Gaussian mechanism of noise multiplier {@code z} that the accountant composes. With no counts
     * {@code z_Δ = z}; with {@code z = 0} (no privacy) it is 0.
     *
     * @throws IllegalArgumentException if the counts alone would need the whole budget
     *     ({@code Σ (2σ_i)⁻² >= z⁻²}), or a parameter is negative or not finite
     */
    public static double valueNoiseMultiplier(double noiseMultiplier, double... countStddevs) {
        if (!(noiseMultiplier >= 0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noise multiplier must be finite and >= 0, got " + noiseMultiplier);
        }
        if (noiseMultiplier == 0) {
            return 0.0;
        }
        double countsInverseSquare = 0;
        for (double sigma : countStddevs) {
            if (!(sigma > 0 && sigma < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(
                        "a noised count's stddev must be finite and > 0 when the noise multiplier is " + noiseMultiplier
                                + ", got " + sigma);
            }
            countsInverseSquare += 1 / (4 * sigma * sigma);
        }
        double inverseSquare = 1 / (noiseMultiplier * noiseMultiplier) - countsInverseSquare;
        if (!(inverseSquare > 0)) {
            throw new IllegalArgumentException(
                    "the noised counts with stddevs " + java.util.Arrays.toString(countStddevs)
                            + " leave no noise budget for the updates at noise multiplier " + noiseMultiplier
                            + ": need Σ (2σ)⁻² = "
                            + countsInverseSquare + " < z⁻² = " + 1 / (noiseMultiplier * noiseMultiplier)
                            + "; raise the clients per round (the default stddev is 0.05 × clients per round) or "
                            + "lower the noise multiplier");
        }
        return 1 / Math.sqrt(inverseSquare);
    }

    /** The total noise multiplier {@code (z_Δ⁻² + (2σ_b)⁻²)^(-1/2)} of a given split. */
    public static double combinedNoiseMultiplier(double valueNoiseMultiplier, double clippedCountStddev) {
        if (valueNoiseMultiplier == 0 || clippedCountStddev == 0) {
            return 0.0;
        }
        double inverseSquare =
                1 / (valueNoiseMultiplier * valueNoiseMultiplier) + 1 / (4 * clippedCountStddev * clippedCountStddev);
        return 1 / Math.sqrt(inverseSquare);
    }

    /** {@code z_Δ / z}: how much more noise the updates get than {@code z} alone would add. */
    public double addedNoiseFactor() {
        return noiseMultiplier == 0 ? 1.0 : valueNoiseMultiplier / noiseMultiplier;
    }

    private static void checkClients(double expectedClientsPerRound) {
        if (!(expectedClientsPerRound > 0 && expectedClientsPerRound < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "expected clients per round must be finite and > 0, got " + expectedClientsPerRound);
        }
    }
}
