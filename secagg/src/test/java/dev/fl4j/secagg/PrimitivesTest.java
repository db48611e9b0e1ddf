package dev.fl4j.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The primitives against their published test vectors and their own laws. */
class PrimitivesTest {

    private static final HexFormat HEX = HexFormat.of();

    /** RFC 5869, test case 1. */
    @Test
    void hkdfMatchesRfc5869() {
        byte[] okm = Hkdf.sha256(
                HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                HEX.parseHex("000102030405060708090a0b0c"),
                HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"),
                42);
        assertEquals(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                HEX.formatHex(okm));
    }

    /** RFC 7748 section 6.1: Alice's and Bob's keys and their shared secret. */
    @Test
    void x25519MatchesRfc7748() {
        byte[] alicePriv = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPub = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        assertEquals(
                "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
                HEX.formatHex(X25519.publicKeyOf(alicePriv)));
        assertEquals(
                "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
                HEX.formatHex(X25519.agree(alicePriv, bobPub)));
        X25519.KeyPair a = X25519.generate(new SecureRandom());
        X25519.KeyPair b = X25519.generate(new SecureRandom());
        assertArrayEquals(X25519.agree(a.privateKey(), b.publicKey()), X25519.agree(b.privateKey(), a.publicKey()));
        assertArrayEquals(a.publicKey(), X25519.publicKeyOf(a.privateKey()));
        assertThrows(X25519.InvalidPublicKeyException.class, () -> X25519.agree(a.privateKey(), new byte[32]));
    }

    @Test
    void theShamirFieldIsPrimeAndHoldsEvery256BitSecret() {
        assertTrue(Shamir.PRIME.isProbablePrime(200));
        assertTrue(Shamir.PRIME.compareTo(BigInteger.ONE.shiftLeft(256)) > 0);
    }

    @Test
    void anyThresholdOfSharesRebuildsTheSecretAndFewerDoNot() {
        SecureRandom r = new SecureRandom();
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 0xFF); // the largest 256-bit secret
        int[] xs = {3, 8, 9, 12, 40};
        byte[][] shares = Shamir.split(secret, xs, 3, r);
        assertArrayEquals(
                secret, Shamir.combine(new int[] {3, 9, 40}, new byte[][] {shares[0], shares[2], shares[4]}, 3));
        assertArrayEquals(
                secret, Shamir.combine(new int[] {12, 8, 3}, new byte[][] {shares[3], shares[1], shares[0]}, 3));
        assertThrows(
                IllegalArgumentException.class,
                () -> Shamir.combine(new int[] {3, 8}, new byte[][] {shares[0], shares[1]}, 3));
        // two shares of a threshold-3 sharing, used as if the threshold were 2, give something else
        byte[] wrong;
        try {
            wrong = Shamir.combine(new int[] {3, 8}, new byte[][] {shares[0], shares[1]}, 2);
        } catch (IllegalArgumentException e) {
            wrong = null;
        }
        assertFalse(wrong != null && Arrays.equals(secret, wrong));
        byte[] s2 = new byte[32];
        r.nextBytes(s2);
        byte[][] again = Shamir.split(s2, xs, 3, r);
        assertArrayEquals(s2, Shamir.combine(xs, again, 3));
        assertThrows(
                IllegalArgumentException.class,
                () -> Shamir.combine(new int[] {3, 3, 9}, new byte[][] {again[0], again[0], again[2]}, 3));
    }

    @Test
    void masksAreReproducibleFromTheSeedAndCancel() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        for (int bits : new int[] {1, 7, 20, 32, 33, 62}) {
            long[] a = new long[10_001];
            MaskPrg.apply(seed, a, false, bits);
            long[] b = new long[10_001];
            MaskPrg.apply(seed, b, false, bits);
            assertArrayEquals(a, b);
            assertTrue(Arrays.stream(a).allMatch(v -> v >= 0 && v < (1L << bits)));
            if (bits >= 7) {
                assertNotEquals(0, Arrays.stream(a).filter(v -> v != 0).count());
            }
            MaskPrg.apply(seed, a, true, bits);
            assertArrayEquals(new long[10_001], a);
        }
    }

    @Test
    void bitPackingRoundTripsEveryWidth() {
        SecureRandom r = new SecureRandom();
        for (int bits = 1; bits <= 62; bits++) {
            for (int n : new int[] {1, 7, 8, 9, 100}) {
                long[] v = new long[n];
                for (int j = 0; j < n; j++) {
                    v[j] = r.nextLong() & ((1L << bits) - 1);
                }
                byte[] packed = BitPacking.pack(v, bits);
                assertEquals(BitPacking.packedBytes(n, bits), packed.length);
                assertArrayEquals(v, BitPacking.unpack(packed, 0, n, bits), bits + " bits, " + n + " values");
                long[] acc = new long[n];
                long mask = (1L << bits) - 1;
                for (int j = 0; j < n; j++) {
                    acc[j] = r.nextLong() & mask;
                }
                long[] expected = new long[n];
                for (int j = 0; j < n; j++) {
                    expected[j] = (acc[j] + v[j]) & mask;
                }
                BitPacking.unpackAdd(packed, 0, bits, acc, mask);
                assertArrayEquals(expected, acc, "adding " + bits + "-bit values into an accumulator");
                if ((n * bits) % 8 != 0) {
                    packed[packed.length - 1] |= (byte) 0x80;
                    long[] untouched = acc.clone();
                    int width = bits;
                    assertThrows(SecAggException.class, () -> BitPacking.unpackAdd(packed, 0, width, acc, mask));
                    assertArrayEquals(untouched, acc, "a refused input adds nothing");
                }
            }
        }
    }
}
