package dev.fl4j.cli.simulate;

import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.security.ClientKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code fl4j client}: a {@link FederatedClient} that trains on a local data set given as to
 * {@code fl4j simulate} (same loader, same partition code); for a demo on one data set,
 * {@code --partition SPEC --clients N --client-index K} takes shard K of the partition simulate would make.
 * A client's own {@code csv:} or {@code parquet:} table without {@code --client-column},
 * {@code --partition} or {@code --clients} is all its data ({@code --client-index 0}); with
 * {@code --client-column}, {@code --client-index K} is the table's K-th client.
 */
public final class ClientRun {

    /** What the client is told: the server, trust or plaintext, its data and shard, its model (shapes batches). */
    public record Options(
            String server,
            Path trust,
            Path key,
            boolean insecure,
            String dataset,
            String partition,
            Integer clients,
            int clientIndex,
            String model,
            int examplesPerClient,
            long seed,
            String id,
            TableSpec table,
            Path stateDir) {

        public Options {
            table = table == null ? TableSpec.NONE : table;
        }
    }

    private ClientRun() {}

    /** Works for the server until its run finishes; returns the tasks done. */
    public static int run(Options o, PrintWriter out, PrintWriter err) throws Exception {
        if (o.insecure() == (o.trust() != null)) {
            throw new UsageException(
                    o.insecure()
                            ? "--insecure and --trust conflict: choose one"
                            : "--trust CA.pem is required to verify the server (or --insecure for a loopback server)");
        }
        boolean centralised = SimulationData.isCentralised(o.dataset(), o.table());
        // a client's own table without a client column, and no partition asked for: every row is its data
        boolean wholeTable =
                centralised && SimulationData.isTable(o.dataset()) && o.partition() == null && o.clients() == null;
        boolean federatedFiles =
                !centralised && !SimulationData.name(o.dataset()).equals("synthetic");
        int clients = o.clients() != null ? o.clients() : federatedFiles ? 0 : Simulation.DEFAULT_CLIENTS;
        String partition = centralised ? (o.partition() != null ? o.partition() : "iid") : null;
        StringBuilder summary = new StringBuilder();
        try (SimulationData data = wholeTable
                ? SimulationData.wholeTable(o.dataset(), o.table(), summary)
                : SimulationData.load(
                        o.dataset(), o.table(), partition, clients, o.examplesPerClient(), o.seed(), summary)) {
            List<String> ids = data.train().clientIds();
            if (o.clientIndex() < 0 || o.clientIndex() >= ids.size()) {
                throw new UsageException("--client-index " + o.clientIndex() + " is outside the " + ids.size()
                        + " clients [0, " + ids.size() + ")");
            }
            String shard = ids.get(o.clientIndex());
            ModelChoice model;
            try {
                model = ModelChoice.of(o.model() != null ? o.model() : ModelChoice.defaultFor(data), data);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--model: " + e.getMessage());
            }
            if (o.insecure()) {
                err.println("fl4j client: WARNING: plaintext (--insecure): the server is not verified;"
                        + " for loopback tests only");
                err.flush();
            }
            FederatedClient.Builder b = FederatedClient.builder()
                    .setServer(o.server())
                    .setData(data.train().datasetFor(shard))
                    .optBatchMap(model.batchMap());
            String id;
            if (o.key() != null) {
                ClientKey k = ClientKey.read(o.key());
                b.optKey(k);
                id = k.id();
                if (o.id() != null && !o.id().equals(id)) {
                    throw new UsageException("--id " + o.id() + " is not the id of --key " + o.key() + " (" + id + ")");
                }
            } else {
                id = o.id() != null ? o.id() : shard;
                b.setClientId(id);
            }
            if (o.stateDir() != null) {
                b.optStateDir(o.stateDir());
            }
            if (o.insecure()) {
                b.optInsecure(true);
            } else {
                b.optTrust(o.trust());
            }
            try (FederatedClient client = b.build()) {
                out.println("client " + id + " (shard " + shard + " of " + ids.size() + ") working for " + o.server());
                out.flush();
                int done = client.run();
                out.println("run finished: " + done + " tasks done, " + client.tasksFailed() + " failed, "
                        + client.rejectedResults() + " results refused");
                out.flush();
                return done;
            }
        }
    }
}
