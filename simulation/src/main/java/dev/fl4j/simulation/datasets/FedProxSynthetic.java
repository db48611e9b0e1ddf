package dev.fl4j.simulation.datasets;

import dev.fl4j.core.Type;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import java.util.ArrayList;
import java.util.List;

/**
 * FedProx's Synthetic(α, β) federated dataset (Li et al., "Federated Optimization in Heterogeneous
 * Networks", 2020), generated on demand; no files. For client {@code k}:
 * <ul>
 *   <li>{@code u_k ~ N(0, α²)}; the model {@code W_k ∈ R^{10×60}} and {@code b_k ∈ R^10} have
 *       entries {@code ~ N(u_k, 1)} (α controls how much the clients' models differ);</li>
 *   <li>{@code B_k ~ N(0, β²)}; {@code v_k ∈ R^60} has entries {@code ~ N(B_k, 1)}; features
 *       {@code x ~ N(v_k, Σ)} with diagonal {@code Σ_jj = j^-1.2} (j from 1; β controls how much the
 *       clients' inputs differ);</li>
 *   <li>label {@code y = argmax(W_k x + b_k)};</li>
 *   <li>the number of examples is {@code floor(LogNormal(4, 2)) + 50} as in the paper's
 *       generator, or a fixed count ({@link Builder#optExamplesPerClient}).</li>
 * </ul>
 * α and β are used as standard deviations, as in the paper's generator code. Every client is
 * generated from the seed and its index alone, so any client can be made alone, in any order,
 * always identically. Elements are {@code <x=float32[60], y=int32>}; ids {@code synthetic_0} ….
 */
public final class FedProxSynthetic extends ClientData {

    /** Feature dimension. */
    public static final int DIMENSION = 60;
    /** Number of classes. */
    public static final int CLASSES = 10;

    private static final long COUNT = Seeds.purpose("synthetic/count");
    private static final long DATA = Seeds.purpose("synthetic/data");

    private final double alpha;
    private final double beta;
    private final long seed;
    private final int fixedCount;
    private final List<String> ids;

    private FedProxSynthetic(Builder b) {
        this.alpha = b.alpha;
        this.beta = b.beta;
        this.seed = b.seed;
        this.fixedCount = b.examplesPerClient;
        List<String> ids = new ArrayList<>(b.clients);
        for (int k = 0; k < b.clients; k++) {
            ids.add("synthetic_" + k);
        }
        this.ids = List.copyOf(ids);
    }

    /** Synthetic(α, β) over {@code clients} clients. */
    public static Builder builder(double alpha, double beta, int clients, long seed) {
        return new Builder(alpha, beta, clients, seed);
    }

    /** Parameters; α, β, client count and seed are required. */
    public static final class Builder {
        private final double alpha;
        private final double beta;
        private final int clients;
        private final long seed;
        private int examplesPerClient;

        private Builder(double alpha, double beta, int clients, long seed) {
            this.alpha = alpha;
            this.beta = beta;
            this.clients = clients;
            this.seed = seed;
        }

        /** Every client gets exactly {@code n} examples instead of the paper's power law. */
        public Builder optExamplesPerClient(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("examples per client must be positive, got " + n);
            }
            this.examplesPerClient = n;
            return this;
        }

        public FedProxSynthetic build() {
            if (!(alpha >= 0) || Double.isInfinite(alpha) || !(beta >= 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException(
                        "Synthetic(α, β) needs finite α ≥ 0 and β ≥ 0, got α=" + alpha + ", β=" + beta);
            }
            if (clients <= 0) {
                throw new IllegalArgumentException("number of clients must be positive, got " + clients);
            }
            return new FedProxSynthetic(this);
        }
    }

    @Override
    public List<String> clientIds() {
        return ids;
    }

    @Override
    public Type elementType() {
        return Examples.of(new float[0], new int[] {DIMENSION}, new int[0]).exampleType();
    }

    /** The number of examples client {@code k} has. */
    public int examplesOf(int k) {
        checkClient(k);
        if (fixedCount > 0) {
            return fixedCount;
        }
        SplitMix64 rng = new SplitMix64(Seeds.derive(seed, COUNT, k));
        double n = Math.exp(4 + 2 * rng.nextGaussianPolar());
        return (int) Math.min(n, 1_000_000) + 50;
    }

    @Override
    public Dataset datasetFor(String clientId) {
        return Dataset.of(examplesFor(clientId));
    }

    /** The examples of client {@code clientId}, generated now. */
    public Examples examplesFor(String clientId) {
        int k = indexOf(clientId);
        if (k < 0) {
            throw new IllegalArgumentException(
                    "no client '" + clientId + "' among " + ids.size() + " synthetic clients");
        }
        return examplesOf(k, examplesOf(k));
    }

    private Examples examplesOf(int k, int n) {
        SplitMix64 rng = new SplitMix64(Seeds.derive(seed, DATA, k));
        double u = alpha * rng.nextGaussianPolar();
        double bigB = beta * rng.nextGaussianPolar();
        double[] w = new double[CLASSES * DIMENSION];
        double[] b = new double[CLASSES];
        double[] v = new double[DIMENSION];
        for (int i = 0; i < w.length; i++) {
            w[i] = u + rng.nextGaussianPolar();
        }
        for (int i = 0; i < CLASSES; i++) {
            b[i] = u + rng.nextGaussianPolar();
        }
        for (int j = 0; j < DIMENSION; j++) {
            v[j] = bigB + rng.nextGaussianPolar();
        }
        double[] sd = new double[DIMENSION];
        for (int j = 0; j < DIMENSION; j++) {
            sd[j] = Math.sqrt(Math.pow(j + 1, -1.2));
        }
        float[] x = new float[n * DIMENSION];
        int[] y = new int[n];
        double[] row = new double[DIMENSION];
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < DIMENSION; j++) {
                row[j] = v[j] + sd[j] * rng.nextGaussianPolar();
                x[e * DIMENSION + j] = (float) row[j];
            }
            int best = 0;
            double bestLogit = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double logit = b[c];
                for (int j = 0; j < DIMENSION; j++) {
                    logit += w[c * DIMENSION + j] * row[j];
                }
                if (logit > bestLogit) {
                    bestLogit = logit;
                    best = c;
                }
            }
            y[e] = best;
        }
        return Examples.of(x, new int[] {DIMENSION}, y);
    }

    private int indexOf(String clientId) {
        if (clientId == null || !clientId.startsWith("synthetic_")) {
            return -1;
        }
        try {
            int k = Integer.parseInt(clientId.substring("synthetic_".length()));
            return k >= 0 && k < ids.size() && ids.get(k).equals(clientId) ? k : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void checkClient(int k) {
        if (k < 0 || k >= ids.size()) {
            throw new IndexOutOfBoundsException("client " + k + " of " + ids.size());
        }
    }
}
