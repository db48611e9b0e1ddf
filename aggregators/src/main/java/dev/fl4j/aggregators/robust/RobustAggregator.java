package dev.fl4j.aggregators.robust;

/**
 * A Byzantine-robust aggregate of client updates: a statistic over {@code n} updates of {@code d}
 * coordinates each that stays close to the honest clients' updates while a bounded number of
 * clients send arbitrary values.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Input is {@code float[n][d]}: row {@code i} is client {@code i}'s update. Rows must all have
 *       the same length and hold finite values; NaN or infinite values are rejected with the client
 *       and coordinate (the aggregation factories zero such updates and give them weight zero
 *       first, as TFF does). Inputs are never modified; the result is a new {@code float[d]}.</li>
 *   <li>Weights are optional ({@code null} = all equal); when given they are finite, non-negative,
 *       one per client, and not all zero. How each kernel uses them is stated on the class. With
 *       weights, tolerance is in weight mass rather than client count.</li>
 *   <li>Unlike a sum or a mean, these statistics need all updates at once (O(n·d) memory): the
 *       runtime streams each client's update into a sum or mean and drops it, but
 *       {@link dev.fl4j.aggregators.RobustAggregationFactory} has to collect the round's updates,
 *       within a memory budget it checks client by client. Arithmetic is in double precision; the
 *       result is rounded to float once.</li>
 *   <li>{@link #maxFaultyClients(int)} states how many of {@code n} equally weighted clients may be
 *       faulty while the guarantee holds; {@link #requireTolerates} turns an impossible setting into
 *       an exception naming {@code n} and the asked-for number.</li>
 * </ul>
 * Implementations are immutable and thread-safe.
 */
public interface RobustAggregator {

    /** The unweighted aggregate of {@code updates} ({@code n × d}). */
    default float[] aggregate(float[][] updates) {
        return aggregate(updates, null);
    }

    /**
     * The aggregate of {@code updates} ({@code n × d}) with per-client {@code weights} (may be
     * {@code null}).
     *
     * @throws IllegalArgumentException on empty, ragged or non-finite input, bad weights, or a
     *     client count this aggregator cannot work with
     */
    float[] aggregate(float[][] updates, double[] weights);

    /**
     * The largest number of faulty clients among {@code clientCount} equally weighted clients that
     * this aggregator withstands, or -1 if it cannot run with that many clients at all.
     */
    int maxFaultyClients(int clientCount);

    /**
     * Checks that {@code faultyClients} of {@code clientCount} clients are tolerated.
     *
     * @throws IllegalArgumentException naming the aggregator, {@code n} and {@code f} if not
     */
    default void requireTolerates(int clientCount, int faultyClients) {
        int max = maxFaultyClients(clientCount);
        if (faultyClients < 0 || faultyClients > max) {
            throw new IllegalArgumentException(this + " with n=" + clientCount + " clients tolerates "
                    + (max < 0 ? "no setting (too few clients)" : "at most " + max + " faulty")
                    + ", asked to tolerate f=" + faultyClients);
        }
    }
}
