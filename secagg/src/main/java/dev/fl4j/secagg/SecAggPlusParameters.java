package dev.fl4j.secagg;

/**
 * The settings of one SecAgg+ session, named as Flower's {@code SecAggPlusWorkflow} names them, and
 * checked together: every client and the server hold the same ones (the server sends them in its setup
 * message, and a client refuses settings that cannot work).
 *
 * @param clients the clients the session starts with, numbered 1 to {@code clients}
 * @param numShares {@code num_shares}: how many shares each client's secrets are split into, one kept
 *     and one for each of its {@code num_shares − 1} neighbours; odd (the neighbours sit half on either
 *     side of the client on a random ring, a Harary graph) unless it equals {@code clients} (everyone
 *     is everyone's neighbour, plain SecAgg)
 * @param reconstructionThreshold {@code reconstruction_threshold}: how many shares rebuild a secret;
 *     more than half of {@code num_shares}, so the shares that reveal a client's self-mask seed and those
 *     that reveal its mask key can never both reach the threshold
 * @param bitwidth the modulus is {@code 2^bitwidth} ({@code modulus_range} in Flower), 1 to 62
 * @param vectorLength elements in every client's vector
 */
public record SecAggPlusParameters(
        int clients, int numShares, int reconstructionThreshold, int bitwidth, int vectorLength) {

    /** The most clients one session takes (client ids are 32-bit; the bound keeps messages small). */
    public static final int MAX_CLIENTS = 1 << 20;

    public SecAggPlusParameters {
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw new IllegalArgumentException(
                    "a SecAgg+ session needs 1 to " + MAX_CLIENTS + " clients, got " + clients);
        }
        if (numShares < 1) {
            throw new IllegalArgumentException("num_shares must be at least 1, got " + numShares);
        }
        if (numShares > clients) {
            throw new IllegalArgumentException("num_shares " + numShares + " exceeds the " + clients
                    + " clients (each share goes to a different client)");
        }
        if (numShares != clients && numShares % 2 == 0) {
            throw new IllegalArgumentException(
                    "num_shares must be odd (a client keeps one share and gives one to each of its"
                            + " neighbours, half on either side of it on the ring) or equal to the number of clients,"
                            + " got "
                            + numShares + " for " + clients + " clients");
        }
        if (reconstructionThreshold < 1) {
            throw new IllegalArgumentException(
                    "reconstruction_threshold must be at least 1, got " + reconstructionThreshold);
        }
        if (reconstructionThreshold > numShares) {
            throw new IllegalArgumentException("reconstruction_threshold " + reconstructionThreshold
                    + " exceeds num_shares " + numShares + ": the secrets could never be rebuilt");
        }
        if (2 * reconstructionThreshold <= numShares) {
            throw new IllegalArgumentException("reconstruction_threshold " + reconstructionThreshold
                    + " must be more than half of num_shares " + numShares + " (at least " + (numShares / 2 + 1)
                    + "), so no client's self-mask seed and mask key can both be rebuilt");
        }
        if (bitwidth < 1 || bitwidth > 62) {
            throw new IllegalArgumentException("the modulus must be 2^b with b in [1, 62], got b = " + bitwidth);
        }
        if (vectorLength < 1) {
            throw new IllegalArgumentException("vector length must be at least 1, got " + vectorLength);
        }
        if ((long) vectorLength * bitwidth > 8L * (Integer.MAX_VALUE - 64)) {
            throw new IllegalArgumentException("a vector of " + vectorLength + " elements of " + bitwidth
                    + " bits does not fit one message (at most 2 GiB)");
        }
    }

    /** The modulus, {@code 2^bitwidth}. */
    public long modulus() {
        return 1L << bitwidth;
    }

    /** Neighbours each client has when nobody dropped: {@code num_shares − 1}. */
    public int neighbours() {
        return numShares - 1;
    }
}
