package dev.fl4j.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Shamir t-of-n secret sharing of 32-byte secrets over the prime field {@code GF(2^256 + 297)} (the
 * smallest prime above 2^256, so every 256-bit secret is a field element). A share is the polynomial's
 * value at the holder's client id ({@code x ≥ 1}), 33 bytes big-endian.
 */
final class Shamir {

    static final BigInteger PRIME = BigInteger.ONE.shiftLeft(256).add(BigInteger.valueOf(297));
    static final int SECRET_BYTES = 32;
    static final int SHARE_BYTES = 33;

    private Shamir() {}

    /** Shares of {@code secret} for holders {@code xs}; any {@code threshold} of them give it back. */
    static byte[][] split(byte[] secret, int[] xs, int threshold, SecureRandom random) {
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("a secret has 32 bytes, got " + secret.length);
        }
        if (threshold < 1 || threshold > xs.length) {
            throw new IllegalArgumentException("threshold " + threshold + " for " + xs.length + " holders");
        }
        BigInteger[] coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(1, secret);
        for (int i = 1; i < threshold; i++) {
            BigInteger c;
            do {
                c = new BigInteger(PRIME.bitLength(), random);
            } while (c.compareTo(PRIME) >= 0);
            coefficients[i] = c;
        }
        byte[][] shares = new byte[xs.length][];
        for (int h = 0; h < xs.length; h++) {
            if (xs[h] < 1) {
                throw new IllegalArgumentException("share holders are numbered from 1, got " + xs[h]);
            }
            BigInteger x = BigInteger.valueOf(xs[h]);
            BigInteger y = BigInteger.ZERO;
            for (int i = threshold - 1; i >= 0; i--) {
                y = y.multiply(x).add(coefficients[i]).mod(PRIME);
            }
            shares[h] = fixed(y, SHARE_BYTES);
        }
        return shares;
    }

    /**
     * The secret from the first {@code threshold} of the shares {@code ys} held at {@code xs}.
     *
     * @throws IllegalArgumentException if there are fewer than {@code threshold} shares, a holder repeats,
     *     a share is not a field element, or the shares interpolate to no 32-byte secret (they are not
     *     shares of one secret)
     */
    static byte[] combine(int[] xs, byte[][] ys, int threshold) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException(xs.length + " holders but " + ys.length + " shares");
        }
        if (xs.length < threshold) {
            throw new IllegalArgumentException(xs.length + " shares, fewer than the threshold " + threshold);
        }
        BigInteger secret = BigInteger.ZERO;
        for (int i = 0; i < threshold; i++) {
            BigInteger yi = new BigInteger(1, ys[i]);
            if (ys[i].length != SHARE_BYTES || yi.compareTo(PRIME) >= 0) {
                throw new IllegalArgumentException("share of holder " + xs[i] + " is not a field element");
            }
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            for (int j = 0; j < threshold; j++) {
                if (j == i) {
                    continue;
                }
                if (xs[j] == xs[i]) {
                    throw new IllegalArgumentException("holder " + xs[i] + " gave two shares");
                }
                num = num.multiply(BigInteger.valueOf(xs[j])).mod(PRIME);
                den = den.multiply(BigInteger.valueOf(xs[j] - (long) xs[i])).mod(PRIME);
            }
            secret =
                    secret.add(yi.multiply(num).multiply(den.modInverse(PRIME))).mod(PRIME);
        }
        if (secret.bitLength() > 8 * SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "the shares interpolate to no 32-byte secret: they are not shares of one secret");
        }
        return fixed(secret, SECRET_BYTES);
    }

    private static byte[] fixed(BigInteger v, int bytes) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[bytes];
        int n = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - n, out, bytes - n, n);
        return out;
    }
}
