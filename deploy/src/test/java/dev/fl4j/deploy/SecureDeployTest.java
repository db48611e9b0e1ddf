package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.protocol.ClientHeader;
import dev.fl4j.deploy.protocol.FleetGrpc;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.RegisterRequest;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.security.AuthorizedKeys;
import dev.fl4j.deploy.security.ClientKey;
import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.security.RequestSigner;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.TrainingLoop;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployment over TLS with client keys made by {@code deploy-security}'s development PKI: clients
 * verify the server against the CA and sign every request; the server admits only authorized keys
 * and refuses an unknown key, a replayed request, a client speaking for another and an unsigned
 * request, each with its reason, while the run completes.
 */
class SecureDeployTest {

    @TempDir
    Path dir;

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static RegisterRequest register(ClientKey key, String claimedId) {
        RegisterRequest r = RegisterRequest.newBuilder()
                .setHeader(ClientHeader.newBuilder()
                        .setProtocolVersion(ProtocolLimits.VERSION)
                        .setClientId(claimedId))
                .build();
        byte[] envelope = new RequestSigner(key, ProtocolLimits.VERSION)
                .sign(FleetGrpc.getRegisterMethod().getFullMethodName(), r.toByteArray());
        return r.toBuilder()
                .setHeader(r.getHeader().toBuilder().setAuth(ByteString.copyFrom(envelope)))
                .build();
    }

    private static void assertRefused(String reason, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertTrue(
                e.getStatus().getDescription() != null
                        && e.getStatus().getDescription().startsWith(reason),
                e.getStatus().toString());
    }

    @Test
    void tlsAndSignedRequestsAdmitOnlyAuthorizedFreshRequests() throws Exception {
        PkiFiles pki = DevelopmentPki.generate(4, List.of(), new SecureRandom()).write(dir);
        List<ClientKey> keys = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            keys.add(ClientKey.read(pki.clientKeys().get(k)));
        }
        AuthorizedKeys authorized = AuthorizedKeys.of(List.of(
                keys.get(0).publicKey(), keys.get(1).publicKey(), keys.get(2).publicKey()));
        FedProxSynthetic data = DeployFixture.data();
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server = DeployServer.builder()
                .setProcess(DeployFixture.process())
                .setClientsPerRound(3)
                .setRounds(1)
                .setBatchSize(DeployFixture.BATCH)
                .optSeed(DeployFixture.SEED)
                .optMinPopulation(3)
                .optTls(pki.serverCertificateChain(), pki.serverPrivateKey())
                .optAuthorizedKeys(authorized)
                .build()
                .start()) {
            String t = target(server.address());
            try (RawFleetClient raw = new RawFleetClient(
                    t,
                    TlsChannelCredentials.newBuilder()
                            .trustManager(pki.caCertificate().toFile())
                            .build())) {
                ClientKey intruder = keys.get(3);
                assertRefused("UNKNOWN_KEY", () -> raw.blocking.register(register(intruder, intruder.id())));
                RegisterRequest once = register(keys.get(0), keys.get(0).id());
                raw.blocking.register(once);
                assertRefused("REPLAYED", () -> raw.blocking.register(once));
                assertRefused(
                        "UNAUTHENTICATED",
                        () -> raw.blocking.register(
                                register(keys.get(1), keys.get(0).id())));
                assertRefused("UNAUTHENTICATED", () -> raw.register(keys.get(2).id()));
            }
            for (int k = 0; k < 3; k++) {
                String shard = data.clientIds().get(k);
                clients.add(FederatedClient.builder()
                        .setServer(t)
                        .optKey(keys.get(k))
                        .optTrust(pki.caCertificate())
                        .setData(data.datasetFor(shard))
                        .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                        .build()
                        .start());
            }
            DeployResult r = server.run();
            assertEquals(3.0, r.history().get(0).get(TrainingLoop.CLIENTS_REPORTING));
            Map<Rejection, Long> refused = server.rejections();
            assertEquals(1L, refused.get(Rejection.UNKNOWN_KEY), refused.toString());
            assertEquals(1L, refused.get(Rejection.REPLAYED), refused.toString());
            assertEquals(2L, refused.get(Rejection.UNAUTHENTICATED), refused.toString());
            for (FederatedClient c : clients) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(10)));
                assertEquals(1, c.tasksDone());
            }
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aPlaintextClientCannotTalkToATlsServer() throws Exception {
        PkiFiles pki = DevelopmentPki.generate(1, List.of(), new SecureRandom()).write(dir);
        try (DeployServer server = DeployFixture.server(1, 1)
                        .optInsecure(false)
                        .optTls(pki.serverCertificateChain(), pki.serverPrivateKey())
                        .optAuthorizedKeys(AuthorizedKeys.read(pki.authorizedKeys()))
                        .build()
                        .start();
                RawFleetClient plain = new RawFleetClient(target(server.address()))) {
            assertThrows(StatusRuntimeException.class, () -> plain.register("anyone"));
        }
    }

    @Test
    void plaintextIsRefusedOffLoopbackAndTlsNeedsAuthorizedKeys() {
        IllegalStateException offLoopback = assertThrows(
                IllegalStateException.class,
                () -> DeployFixture.server(1, 1).optHost("0.0.0.0").build());
        assertTrue(offLoopback.getMessage().contains("loopback"), offLoopback.getMessage());
        IllegalStateException noKeys = assertThrows(
                IllegalStateException.class,
                () -> DeployFixture.server(1, 1)
                        .optInsecure(false)
                        .optTls(dir.resolve("server.pem"), dir.resolve("server.key"))
                        .build());
        assertTrue(noKeys.getMessage().contains("optAuthorizedKeys"), noKeys.getMessage());
    }
}
