package dev.fl4j.core.runtime;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ShippableAggregation;
import java.util.ArrayList;
import java.util.List;

/**
 * One aggregation intrinsic's fold over the clients: it takes each client's members of its
 * {@link #sources()} in client order ({@link #add}), holds one accumulator, and {@link #finish}es into
 * the server's value, counting the bits the clients sent when it finishes. The same fold runs eagerly
 * over values already at hand and, inside {@link PendingClientWork}, as clients finish their work.
 */
abstract class ClientFold {

    final String intrinsic;
    private final List<FederatedValue> sources;
    long bits;
    int clients;
    private Value result;
    private boolean finished;

    ClientFold(String intrinsic, List<FederatedValue> sources) {
        this.intrinsic = intrinsic;
        this.sources = List.copyOf(sources);
    }

    /** The client values this fold reads, member by member: the value, then a weight if any. */
    final List<FederatedValue> sources() {
        return sources;
    }

    /** Told the clients (ids, in client order) before the first {@link #add}; most folds need not know. */
    void over(List<String> clientIds) {}

    /** Adds client {@code index}'s members of the sources, in order. */
    abstract void add(int index, String clientId, Value[] members);

    /** Adds one client's member, naming the client when the accumulator refuses it (overflow, shape). */
    final void addNamingClient(SumAccumulator acc, Value member, double weight, int index, String clientId) {
        try {
            acc.add(member, weight);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("client " + clientId + " (#" + index + "): " + e.getMessage(), e);
        }
    }

    /** Block-fold kinds ({@link BlockFolds}): the folds that can run where the clients run. */
    static final int SUM = 0;

    static final int MEAN = 1;
    static final int WEIGHTED_MEAN = 2;
    /** A {@code federated_aggregate} of a {@link ShippableAggregation}, rebuilt where the clients run. */
    static final int AGGREGATE = 3;

    /**
     * This fold's {@linkplain BlockFolds block-fold kind}, or -1 when it cannot fold a block of
     * clients elsewhere and be merged here (its accumulator does not cross JVMs, or it needs every
     * client at once).
     */
    int blockKind() {
        return -1;
    }

    /**
     * The descriptor of the aggregation a fold of kind {@link #AGGREGATE} rebuilds where the clients
     * run; null for the other kinds.
     */
    ComputationDescriptor blockAggregation() {
        return null;
    }

    /**
     * A fresh fold of block-fold kind {@code kind}, to fold one block of clients where they run;
     * {@code aggregation} is the rebuilt aggregation of kind {@link #AGGREGATE} (null for the others).
     */
    static ClientFold forBlock(int kind, ShippableAggregation<?> aggregation) {
        return switch (kind) {
            case SUM -> new Sum(null, List.of());
            case MEAN -> new Mean(List.of());
            case WEIGHTED_MEAN -> new WeightedMean(List.of());
            case AGGREGATE -> new Aggregate<>(List.of(), aggregation);
            default -> throw new IllegalArgumentException("unknown block fold kind " + kind);
        };
    }

    /** The accumulator of a fold that has a block-fold kind. */
    SumAccumulator blockAccumulator() {
        throw new UnsupportedOperationException(intrinsic + " does not fold blocks of clients elsewhere");
    }

    /**
     * This fold, fed at most one block of clients in client order, as a value that crosses JVMs:
     * {@code <acc=.., bits=int64, clients=int32>} (see {@link SumAccumulator#encodeBlock}).
     */
    final Value blockPartial() {
        return Struct.named(
                "acc", encodeBlockAccumulator(), "bits", Tensor.scalar(bits), "clients", Tensor.scalar(clients));
    }

    /**
     * Adds one block's {@link #blockPartial} as this fold's next block (blocks are merged in block
     * order, so the result is bitwise the one of adding their clients here in client order).
     *
     * @throws IllegalArgumentException if {@code partial} is not a block partial of this fold's kind
     */
    final void mergeBlock(Value partial) {
        if (!(partial instanceof Struct p)
                || p.size() != 3
                || !(p.get("bits") instanceof Tensor b)
                || b.dtype() != DType.INT64
                || !(p.get("clients") instanceof Tensor c)
                || c.dtype() != DType.INT32) {
            throw new IllegalArgumentException(
                    intrinsic + ": not a block partial <acc=..,bits=int64,clients=int32>: " + partial.type());
        }
        bits += b.longData()[0];
        clients += c.intData()[0];
        mergeBlockAccumulator(p.get("acc"));
    }

    /** The accumulator of at most one block, encoded (see {@link #blockPartial}). */
    Value encodeBlockAccumulator() {
        return blockAccumulator().encodeBlock();
    }

    /** Merges one block's {@link #encodeBlockAccumulator} as this fold's next block. */
    void mergeBlockAccumulator(Value encoded) {
        blockAccumulator().mergeBlock(SumAccumulator.decodeBlock(intrinsic, encoded));
    }

    /** The server's value from the accumulator. */
    abstract Value report();

    /** Records the traffic and computes the result (once). */
    final void finish(CommunicationStats stats) {
        if (finished) {
            return;
        }
        finished = true;
        result = report();
        if (result == null) {
            throw new IllegalStateException(intrinsic + ": report returned null");
        }
        if (countsTraffic()) {
            recordTraffic(stats);
        }
    }

    /** Records what crossed: the clients' bits, as aggregation traffic. */
    void recordTraffic(CommunicationStats stats) {
        stats.record(new TrafficRecord(intrinsic, Direction.AGGREGATION, clients, bits));
    }

    /** Whether the members cross to the server (every aggregation intrinsic does). */
    boolean countsTraffic() {
        return true;
    }

    final Value result() {
        if (result == null) {
            throw new IllegalStateException(intrinsic + ": the fold has not finished");
        }
        return result;
    }

    static void requireFloating(String intrinsic, Value v) {
        for (Tensor t : Structures.leaves(v)) {
            if (!t.dtype().isFloating()) {
                throw new TypeMismatchException(intrinsic + ": needs floating-point values but got " + v.type());
            }
        }
    }

    /** {@code federated_sum}; over no clients, the zero of the member type, as TFF's. */
    static final class Sum extends ClientFold {
        private final SumAccumulator acc;
        private final Type memberType;

        Sum(FederatedValue value) {
            this(value.type().member(), List.of(value));
        }

        private Sum(Type memberType, List<FederatedValue> sources) {
            super("federated_sum", sources);
            acc = new SumAccumulator(intrinsic);
            this.memberType = memberType;
        }

        @Override
        int blockKind() {
            return SUM;
        }

        @Override
        SumAccumulator blockAccumulator() {
            return acc;
        }

        @Override
        void add(int index, String clientId, Value[] members) {
            addNamingClient(acc, members[0], 1.0, index, clientId);
            bits += members[0].sizeInBits();
            clients++;
        }

        @Override
        Value report() {
            if (acc.isEmpty()) {
                return zeros(memberType, "federated_sum over zero clients");
            }
            return acc.sum();
        }
    }

    /**
     * The zero of {@code type}, as TFF's {@code federated_sum} returns over no clients (a round of
     * differentially private training may sample none: its noised sum still has to exist).
     */
    private static Value zeros(Type type, String what) {
        try {
            return Structures.zeros(type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    what + ": the member type " + type + " has no defined zero: " + e.getMessage(), e);
        }
    }

    /** Unweighted {@code federated_mean}. */
    static final class Mean extends ClientFold {
        private final SumAccumulator acc;

        Mean(FederatedValue value) {
            this(List.of(value));
        }

        private Mean(List<FederatedValue> sources) {
            super("federated_mean", sources);
            acc = new SumAccumulator(intrinsic);
        }

        @Override
        int blockKind() {
            return MEAN;
        }

        @Override
        SumAccumulator blockAccumulator() {
            return acc;
        }

        @Override
        void add(int index, String clientId, Value[] members) {
            requireFloating(intrinsic, members[0]);
            addNamingClient(acc, members[0], 1.0, index, clientId);
            bits += members[0].sizeInBits();
            clients++;
        }

        @Override
        Value report() {
            if (acc.isEmpty()) {
                throw new IllegalArgumentException("federated_mean over zero clients has no defined value");
            }
            return acc.divided(clients);
        }
    }

    /** {@code federated_mean} with a weight. */
    static final class WeightedMean extends ClientFold {
        private final SumAccumulator acc;

        WeightedMean(FederatedValue value, FederatedValue weight) {
            this(List.of(value, weight));
        }

        private WeightedMean(List<FederatedValue> sources) {
            super("federated_mean", sources);
            acc = new SumAccumulator(intrinsic);
        }

        @Override
        int blockKind() {
            return WEIGHTED_MEAN;
        }

        @Override
        SumAccumulator blockAccumulator() {
            return acc;
        }

        @Override
        void add(int index, String clientId, Value[] members) {
            requireFloating(intrinsic, members[0]);
            Tensor w = (Tensor) members[1];
            double weight = w.doubleValue();
            if (!(weight >= 0) || weight == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("federated_mean: client " + clientId + " (#" + index
                        + ") has weight " + weight + "; weights must be finite and >= 0");
            }
            addNamingClient(acc, members[0], weight, index, clientId);
            bits += members[0].sizeInBits() + w.sizeInBits();
            clients++;
        }

        @Override
        Value report() {
            if (acc.isEmpty()) {
                throw new IllegalArgumentException("federated_mean over zero clients has no defined value");
            }
            return acc.divided(acc.totalWeight());
        }
    }

    /**
     * {@code federated_aggregate}: the aggregation's own accumulator, in the fold's shape (see
     * {@link SumAccumulator}): each block of {@link SumAccumulator#BLOCK} clients is accumulated from
     * {@code zero()} in client order, and the blocks' accumulators are merged in block order, the first
     * one being the start, so partition-wise accumulation merged block by block gives the same result. A
     * round of at most one block never calls {@code merge}. A {@link ShippableAggregation} folds blocks
     * where the clients run (kind {@link #AGGREGATE}): each block accumulated there from {@code zero()},
     * its accumulator encoded, decoded here and merged in block order, which is the same shape.
     */
    static final class Aggregate<A> extends ClientFold {
        private final Aggregation<A> aggregation;
        private A acc;
        private A closed;
        private int inBlock;

        Aggregate(FederatedValue value, Aggregation<A> aggregation) {
            this(List.of(value), aggregation);
        }

        private Aggregate(List<FederatedValue> sources, Aggregation<A> aggregation) {
            super("federated_aggregate", sources);
            this.aggregation = aggregation;
            this.acc = aggregation.zero();
        }

        @Override
        int blockKind() {
            return aggregation instanceof ShippableAggregation<A> ? AGGREGATE : -1;
        }

        @Override
        ComputationDescriptor blockAggregation() {
            return ((ShippableAggregation<A>) aggregation).descriptor();
        }

        @Override
        Value encodeBlockAccumulator() {
            if (clients > SumAccumulator.BLOCK) {
                throw new IllegalStateException(
                        intrinsic + ": only an accumulator of at most one block can be encoded");
            }
            return ((ShippableAggregation<A>) aggregation).encodeAccumulator(closed != null ? closed : acc);
        }

        @Override
        void mergeBlockAccumulator(Value encoded) {
            if (inBlock != 0) {
                throw new IllegalStateException(intrinsic + ": a block can only be merged at a block boundary, this"
                        + " fold is " + inBlock + " clients into its block");
            }
            A block = ((ShippableAggregation<A>) aggregation).decodeAccumulator(encoded);
            if (block == null) {
                throw new IllegalArgumentException(intrinsic + ": decoding a block's accumulator gave null");
            }
            if (closed == null) {
                closed = block;
            } else {
                try {
                    closed = aggregation.merge(closed, block);
                } catch (RuntimeException e) {
                    throw new IllegalStateException(
                            "federated_aggregate (merge) of the block ending at client #" + (clients - 1) + ": "
                                    + e.getMessage(),
                            e);
                }
            }
            acc = null;
        }

        @Override
        void add(int index, String clientId, Value[] members) {
            try {
                acc = aggregation.accumulate(acc != null ? acc : aggregation.zero(), members[0]);
            } catch (RuntimeException e) {
                throw new ClientWorkException("federated_aggregate (accumulate)", index, clientId, e);
            }
            bits += members[0].sizeInBits();
            clients++;
            if (++inBlock == SumAccumulator.BLOCK) {
                closeBlock();
            }
        }

        private void closeBlock() {
            if (inBlock == 0) {
                return;
            }
            if (closed == null) {
                closed = acc;
            } else {
                try {
                    closed = aggregation.merge(closed, acc);
                } catch (RuntimeException e) {
                    throw new IllegalStateException(
                            "federated_aggregate (merge) of the block ending at client #" + (clients - 1) + ": "
                                    + e.getMessage(),
                            e);
                }
            }
            acc = null; // the next block's zero() is made when (and if) it has a client
            inBlock = 0;
        }

        @Override
        Value report() {
            closeBlock();
            Value report = aggregation.report(closed != null ? closed : acc);
            acc = null;
            closed = null;
            return report;
        }
    }

    /**
     * {@code federated_secure_sum_bitwidth}: integer leaves summed modulo 2^bitwidth, in the fold (the
     * plain modular sum) or, given a {@link SecureSumProtocol}, by the protocol: each client's leaves,
     * flattened into one vector, are submitted to its session as the client's turn comes, and the
     * unmasked sum is unflattened when the fold finishes. Under the protocol the traffic counted is the
     * protocol's bytes (every stage, both directions), and clients the protocol left out (simulated
     * dropouts) are not in the sum.
     */
    static final class SecureSum extends ClientFold {
        private final int bitwidth;
        private final long modulus;
        private final SecureSumProtocol protocol;
        private final List<long[]> sums = new ArrayList<>();
        private List<String> clientIds;
        private SecureSumProtocol.Session session;
        private int length;
        private long broadcastBits;
        private Value template;
        private int chainResult = -1;
        private final Type memberType;

        SecureSum(FederatedValue value, int bitwidth, SecureSumProtocol protocol) {
            super("federated_secure_sum_bitwidth", List.of(value));
            this.memberType = value.type().member();
            this.bitwidth = bitwidth;
            this.modulus = 1L << bitwidth;
            this.protocol = protocol;
        }

        int bitwidth() {
            return bitwidth;
        }

        /** Whether the clients mask their own inputs ({@link SecureSumProtocol#masksOnClients}). */
        boolean masksOnClients() {
            return protocol != null && protocol.masksOnClients();
        }

        /** The input is result {@code position} of the client chain, kept by the clients for the protocol. */
        void maskedOnClients(int position) {
            this.chainResult = position;
        }

        @Override
        void over(List<String> clientIds) {
            this.clientIds = List.copyOf(clientIds);
        }

        @Override
        void add(int index, String clientId, Value[] members) {
            Value v = members[0];
            List<Tensor> leaves = Structures.leaves(v);
            if (template == null) {
                for (int l = 0; l < leaves.size(); l++) {
                    Tensor t = leaves.get(l);
                    if (t.dtype() != DType.INT32 && t.dtype() != DType.INT64) {
                        throw new TypeMismatchException(
                                intrinsic + ": needs int32 or int64 values but got " + v.type());
                    }
                    if (t.dtype() == DType.INT32 && bitwidth > 31) {
                        throw new IllegalArgumentException(
                                intrinsic + ": bitwidth " + bitwidth + " does not fit the int32 leaf "
                                        + t.type() + " (leaf " + l + " of " + v.type() + "): a sum modulo 2^" + bitwidth
                                        + " can exceed the int32 maximum, so int32 values take a bitwidth of at most "
                                        + "31; send int64 values for wider sums");
                    }
                }
                template = v;
                long total = 0;
                for (Tensor t : leaves) {
                    sums.add(new long[t.size()]);
                    total += t.size();
                }
                if (masksOnClients() && chainResult < 0) {
                    throw new IllegalStateException(intrinsic + " under " + protocol.name()
                            + ": the clients mask their own inputs, but this sum's input " + v.type()
                            + " would be computed by the runtime, which would then hold every client's unmasked"
                            + " value; every step before the secure sum must be client work with a descriptor"
                            + " that runs in the client's chain (and nothing else may read the summed value)");
                }
                if (protocol != null) {
                    if (total > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(intrinsic + ": " + v.type() + " has " + total
                                + " elements, more than " + protocol.name() + " takes in one vector");
                    }
                    length = (int) total;
                    if (clientIds == null) {
                        throw new IllegalStateException(intrinsic + ": the fold was not told its clients");
                    }
                    session = masksOnClients()
                            ? protocol.beginOnClients(clientIds, chainResult, length, bitwidth)
                            : protocol.begin(clientIds, length, bitwidth);
                }
            } else if (!template.type().equals(v.type())) {
                throw new TypeMismatchException(intrinsic + ": client " + clientId, template.type(), v.type());
            }
            if (masksOnClients()) {
                bits += (long) length * bitwidth;
                session.submit(index, null); // the client masks and sends its kept input itself
                clients++;
                return;
            }
            long[] input = protocol == null ? null : new long[length];
            int offset = 0;
            for (int l = 0; l < leaves.size(); l++) {
                Tensor t = leaves.get(l);
                long[] s = sums.get(l);
                for (int j = 0; j < s.length; j++) {
                    long x = t.getLong(j);
                    if (x < 0 || x >= modulus) {
                        throw new IllegalArgumentException(
                                intrinsic + ": client " + clientId + " (#" + index + ") leaf " + l + " element " + j
                                        + " is " + x + ", outside [0, " + modulus + ") for bitwidth " + bitwidth);
                    }
                    if (input != null) {
                        input[offset + j] = x;
                    } else {
                        s[j] = (s[j] + x) & (modulus - 1);
                    }
                }
                offset += s.length;
                bits += (long) t.size() * bitwidth;
            }
            if (session != null) {
                session.submit(index, input);
            }
            clients++;
        }

        @Override
        Value report() {
            if (template == null) {
                // as federated_sum: a differentially private round may sample no client, and its noised sum exists
                return zeros(memberType, intrinsic + " over zero clients");
            }
            if (session != null) {
                SecureSumProtocol.Outcome outcome = session.finish();
                if (outcome.sum().length != length) {
                    throw new IllegalStateException(intrinsic + ": " + protocol.name() + " returned "
                            + outcome.sum().length + " elements for a vector of " + length);
                }
                int offset = 0;
                for (long[] s : sums) {
                    System.arraycopy(outcome.sum(), offset, s, 0, s.length);
                    offset += s.length;
                }
                bits = outcome.clientToServerBytes() * 8;
                broadcastBits = outcome.serverToClientBytes() * 8;
            }
            List<Tensor> templateLeaves = Structures.leaves(template);
            List<Tensor> out = new ArrayList<>();
            for (int l = 0; l < sums.size(); l++) {
                Tensor t = templateLeaves.get(l);
                long[] s = sums.get(l);
                if (t.dtype() == DType.INT32) {
                    int[] r = new int[s.length];
                    for (int j = 0; j < s.length; j++) {
                        r[j] = (int) s[j];
                    }
                    out.add(Tensor.of(r, t.shape()));
                } else {
                    out.add(Tensor.of(s, t.shape()));
                }
            }
            return Structures.pack(template, out);
        }

        @Override
        void recordTraffic(CommunicationStats stats) {
            super.recordTraffic(stats);
            if (session != null) {
                stats.record(new TrafficRecord(intrinsic, Direction.BROADCAST, clients, broadcastBits));
            }
        }
    }

    /**
     * Keeps every client's member: what a computation that returns a {@code {T}@CLIENTS} value needs.
     * Memory grows with the clients; nothing crosses to the server, so no traffic is counted.
     */
    static final class Collect extends ClientFold {
        private final DeferredClientValue value;
        private final List<Value> members;

        Collect(DeferredClientValue value) {
            super("collect", List.of(value));
            this.value = value;
            this.members = new ArrayList<>(value.clientIds().size());
        }

        @Override
        void add(int index, String clientId, Value[] in) {
            members.add(in[0]);
        }

        @Override
        Value report() {
            return ClientValues.of(value.type().member(), value.clientIds(), members);
        }

        @Override
        boolean countsTraffic() {
            return false;
        }

        ClientValues collected() {
            return (ClientValues) result();
        }
    }
}
