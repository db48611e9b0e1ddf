package dev.fl4j.bench.jmh;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verifying one Ed25519 request signature, as a server with authorized keys does for every request: the
 * JDK's {@code Signature.getInstance("Ed25519")} (SunEC) against BouncyCastle's {@link Ed25519Signer}, the
 * latter with the key's parameters decoded once per key ({@code bouncycastle}, as {@code RequestVerifier}
 * keeps them) or on every call ({@code bouncycastle-decode}). The signed bytes are 143 bytes, the size of a
 * request envelope's signed part for a 64-character client id; the key is one of 64 clients', in turn.
 *
 * <pre>
 * mvn -q -pl bench-jmh -am package -DskipTests
 * java -cp bench-jmh/target/classes:$(cat bench-jmh/target/classpath.txt) org.openjdk.jmh.Main Ed25519VerifyBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Ed25519VerifyBenchmark {

    private static final int KEYS = 64;
    private static final int SIGNED_BYTES = 143;

    @Param({"jdk", "bouncycastle", "bouncycastle-decode"})
    public String implementation;

    private PublicKey[] keys;
    private Ed25519PublicKeyParameters[] decoded;
    private byte[][] messages;
    private byte[][] signatures;
    private int next;

    @Setup
    public void setUp() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        SplittableRandom random = new SplittableRandom(7);
        keys = new PublicKey[KEYS];
        decoded = new Ed25519PublicKeyParameters[KEYS];
        messages = new byte[KEYS][SIGNED_BYTES];
        signatures = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            KeyPair pair = generator.generateKeyPair();
            keys[i] = pair.getPublic();
            decoded[i] = decode(keys[i]);
            for (int j = 0; j < SIGNED_BYTES; j++) {
                messages[i][j] = (byte) random.nextInt(256);
            }
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(pair.getPrivate());
            s.update(messages[i]);
            signatures[i] = s.sign();
        }
        for (int i = 0; i < KEYS; i++) {
            if (!verify(i)) {
                throw new IllegalStateException(implementation + " does not verify signature " + i);
            }
            byte[] forged = Arrays.copyOf(signatures[i], signatures[i].length);
            forged[0] ^= 1;
            byte[] kept = signatures[i];
            signatures[i] = forged;
            boolean accepted = verify(i);
            signatures[i] = kept;
            if (accepted) {
                throw new IllegalStateException(implementation + " accepts a forged signature");
            }
        }
    }

    private static Ed25519PublicKeyParameters decode(PublicKey key) {
        return new Ed25519PublicKeyParameters(SubjectPublicKeyInfo.getInstance(key.getEncoded())
                .getPublicKeyData()
                .getOctets());
    }

    private boolean verify(int i) throws GeneralSecurityException {
        switch (implementation) {
            case "jdk" -> {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(keys[i]);
                s.update(messages[i]);
                try {
                    return s.verify(signatures[i]);
                } catch (java.security.SignatureException e) {
                    return false; // a malformed signature (not a curve point), as RequestVerifier counts it
                }
            }
            case "bouncycastle", "bouncycastle-decode" -> {
                Ed25519Signer s = new Ed25519Signer();
                s.init(false, implementation.equals("bouncycastle") ? decoded[i] : decode(keys[i]));
                s.update(messages[i], 0, messages[i].length);
                return s.verifySignature(signatures[i]);
            }
            default -> throw new IllegalArgumentException("implementation " + implementation);
        }
    }

    @Benchmark
    public boolean verifyOne() throws GeneralSecurityException {
        int i = next;
        next = (i + 1) % KEYS;
        return verify(i);
    }
}
