package dev.fl4j.deploy.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fl4j.core.testing.Fuzz;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Received envelope bytes, mutated every way the house fuzzer knows, end in an accepted client id or an
 * {@link AuthenticationFailedException}, never in another exception or a large allocation; and a mutation never turns
 * a genuine envelope into an accepted request for another client.
 */
class SignedEnvelopeFuzzTest {

    @Test
    void parsingAndVerifyingHostileEnvelopesEndsInAnIdOrARefusal() {
        SecureRandom random = new SecureRandom();
        ClientKey alice = ClientKey.generate(random);
        ClientKey bob = ClientKey.generate(random);
        TestClock clock = new TestClock(1_800_000_000_000L);
        RequestSigner signer = new RequestSigner(alice, 7, clock, random);
        byte[] body = {1, 2, 3};
        Fuzz.named("signed envelope parse")
                .seed(signer.sign("PushResult", body))
                .seed(new RequestSigner(bob, 7, clock, random).sign("Heartbeat", new byte[0]))
                .expecting(AuthenticationFailedException.class)
                .inputs(5_000)
                .run(bytes -> {
                    SignedEnvelope e = SignedEnvelope.parse(bytes);
                    assertEquals(bytes.length, e.encode().length);
                });
        RequestVerifier verifier = new RequestVerifier(
                AuthorizedKeys.of(List.of(alice.publicKey(), bob.publicKey())), 7, clock, Duration.ofMinutes(1), 100);
        Fuzz.named("signed envelope verify")
                .seed(signer.sign("PushResult", body))
                .expecting(AuthenticationFailedException.class)
                .inputs(3_000)
                .run(bytes -> {
                    String id = verifier.verify("PushResult", body, bytes);
                    assertEquals(alice.id(), id);
                });
    }
}
