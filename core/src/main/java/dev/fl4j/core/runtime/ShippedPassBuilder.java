package dev.fl4j.core.runtime;

import dev.fl4j.core.AllEqualClientValue;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.runtime.ShippedPass.Ref;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the shippable part of a pass: in creation order, every {@code federated_map} or
 * {@code federated_eval} whose computation has a descriptor and whose argument is made of client
 * inputs ({@link ClientValues}), values all clients hold ({@link AllEqualClientValue}) and results of
 * nodes already picked, zipped or not. The rest of the pass (maps of lambdas, zips the fold reads)
 * stays with the caller and reads the shipped results through {@link #prefill}. A shipped node's
 * result is {@linkplain ShippedPass#isReturned returned} when that rest or a fold reads it; one that
 * only feeds other shipped nodes (the update an encoder compresses) stays where it was computed.
 */
final class ShippedPassBuilder {

    private final List<String> ids;
    private final List<DeferredClientValue> shippedNodes = new ArrayList<>();
    private final Map<DeferredClientValue, Integer> nodeIndex = new IdentityHashMap<>();
    private final List<ComputationDescriptor> descriptors = new ArrayList<>();
    private final List<Ref> inputs = new ArrayList<>();
    private final List<Value> broadcasts = new ArrayList<>();
    private final Map<Value, Integer> broadcastIndex = new IdentityHashMap<>();
    private final List<ClientValues> clientInputs = new ArrayList<>();
    private final Map<ClientValues, Integer> clientInputIndex = new IdentityHashMap<>();

    private final Map<ClientValues, dev.fl4j.core.Struct> zips;

    private ShippedPassBuilder(List<String> ids, Map<ClientValues, dev.fl4j.core.Struct> zips) {
        this.ids = ids;
        this.zips = zips;
    }

    private boolean[] returned;

    /** The shippable part of a pass over {@code ids}, or null when nothing in it can ship. */
    static ShippedPassBuilder of(
            List<String> ids,
            List<DeferredClientValue> passNodes,
            List<ClientFold> passFolds,
            Map<ClientValues, dev.fl4j.core.Struct> zips,
            boolean blockFolds) {
        ShippedPassBuilder b = new ShippedPassBuilder(ids, zips);
        for (DeferredClientValue d : passNodes) {
            if (d.kind == DeferredClientValue.Kind.ZIP) {
                continue;
            }
            Optional<ComputationDescriptor> descriptor = d.fn.descriptor();
            if (descriptor.isEmpty()) {
                continue;
            }
            Ref input = d.kind == DeferredClientValue.Kind.EVAL ? new Ref.None() : b.refOf(d.input);
            if (input == null) {
                continue;
            }
            b.nodeIndex.put(d, b.shippedNodes.size());
            b.shippedNodes.add(d);
            b.descriptors.add(descriptor.get());
            b.inputs.add(input);
        }
        if (b.shippedNodes.isEmpty()) {
            return null;
        }
        b.returned = new boolean[b.shippedNodes.size()];
        for (DeferredClientValue d : passNodes) {
            if (b.nodeIndex.containsKey(d)) {
                continue;
            }
            if (d.kind == DeferredClientValue.Kind.MAP) {
                b.markRead(d.input, 0); // a zip is read only through what reads it
            }
        }
        for (ClientFold f : passFolds) {
            for (FederatedValue source : f.sources()) {
                b.markRead(source, 0);
            }
        }
        b.blockFolds = blockFolds ? b.blockFolds(passNodes, passFolds) : null;
        return b;
    }

    private byte[] blockFolds;

    /**
     * The pass's folds as {@link BlockFolds}, or null when one of them cannot fold where the clients
     * run, or when something of the pass other than the folds reads a client's results (work that
     * does not ship).
     */
    private byte[] blockFolds(List<DeferredClientValue> passNodes, List<ClientFold> passFolds) {
        if (passFolds.isEmpty()) {
            return null;
        }
        for (DeferredClientValue d : passNodes) {
            if (!nodeIndex.containsKey(d) && d.kind != DeferredClientValue.Kind.ZIP) {
                return null;
            }
        }
        int knownBroadcasts = broadcasts.size();
        int knownInputs = clientInputs.size();
        List<List<Ref>> sources = new ArrayList<>();
        for (ClientFold f : passFolds) {
            List<Ref> refs = new ArrayList<>();
            for (FederatedValue source : f.sources()) {
                Ref r = f.blockKind() < 0 ? null : refOf(source);
                if (r == null) {
                    // the folds stay here: drop the values only they would have read from the pass
                    broadcasts.subList(knownBroadcasts, broadcasts.size()).forEach(broadcastIndex::remove);
                    broadcasts.subList(knownBroadcasts, broadcasts.size()).clear();
                    clientInputs.subList(knownInputs, clientInputs.size()).forEach(clientInputIndex::remove);
                    clientInputs.subList(knownInputs, clientInputs.size()).clear();
                    return null;
                }
                refs.add(r);
            }
            sources.add(refs);
        }
        return BlockFolds.encode(passFolds, sources);
    }

    /** Marks the shipped nodes whose results the runtime reads when it reads {@code v}. */
    private void markRead(FederatedValue v, int depth) {
        if (depth > 64) {
            throw new IllegalStateException("client values nest deeper than 64 zips");
        }
        dev.fl4j.core.Struct parts = null;
        if (v instanceof DeferredClientValue d) {
            Integer index = nodeIndex.get(d);
            if (index != null) {
                returned[index] = true;
                return;
            }
            if (d.kind == DeferredClientValue.Kind.ZIP) {
                parts = d.zipped;
            }
        } else if (v instanceof ClientValues c) {
            parts = zips.get(c);
        }
        if (parts != null) {
            for (int f = 0; f < parts.size(); f++) {
                markRead((FederatedValue) parts.get(f), depth + 1);
            }
        }
    }

    /** How {@code v} is read on the other side, or null when it cannot be. */
    private Ref refOf(FederatedValue v) {
        if (v instanceof ClientValues c) {
            if (!c.clientIds().equals(ids)) {
                return null;
            }
            dev.fl4j.core.Struct parts = zips.get(c);
            if (parts != null) {
                return zipRef(parts);
            }
            return new Ref.ClientInput(clientInputIndex.computeIfAbsent(c, k -> {
                clientInputs.add(c);
                return clientInputs.size() - 1;
            }));
        }
        if (v instanceof AllEqualClientValue a) {
            Value value = a.value();
            return new Ref.Broadcast(broadcastIndex.computeIfAbsent(value, k -> {
                broadcasts.add(value);
                return broadcasts.size() - 1;
            }));
        }
        if (v instanceof DeferredClientValue d) {
            Integer index = nodeIndex.get(d);
            if (index != null) {
                return new Ref.Node(index);
            }
            if (d.kind == DeferredClientValue.Kind.ZIP) {
                return zipRef(d.zipped);
            }
        }
        return null;
    }

    /** A zip of CLIENTS values, each field read as its own ref; null when a field cannot be. */
    private Ref zipRef(dev.fl4j.core.Struct zipped) {
        List<String> names = new ArrayList<>();
        List<Ref> fields = new ArrayList<>();
        for (int f = 0; f < zipped.size(); f++) {
            Ref field = refOf((FederatedValue) zipped.get(f));
            if (field == null) {
                return null;
            }
            names.add(zipped.nameAt(f));
            fields.add(field);
        }
        return new Ref.Zip(names, fields);
    }

    ShippedPass build() {
        return new ShippedPass(
                ids, ShippedPass.encodePlan(descriptors, inputs), broadcasts, clientInputs, returned, blockFolds);
    }

    /** The shipped computations and their refs, as the plan names them, without rebuilding anything. */
    ShippedPass.Compiled local() {
        List<dev.fl4j.core.computation.LocalComputation> fns = new ArrayList<>();
        for (DeferredClientValue d : shippedNodes) {
            fns.add(d.fn);
        }
        return ShippedPass.Compiled.of(fns, inputs);
    }

    /** Whether {@code node} is one of the shipped nodes (computed where the pass was shipped). */
    boolean ships(DeferredClientValue node) {
        return nodeIndex.containsKey(node);
    }

    /** Puts one client's shipped results where the rest of its work will look them up. */
    void prefill(Map<DeferredClientValue, Value> memo, List<Value> results) {
        if (results.size() != shippedNodes.size()) {
            throw new IllegalStateException("the shipper returned " + results.size() + " results for "
                    + shippedNodes.size() + " shipped nodes");
        }
        for (int k = 0; k < results.size(); k++) {
            DeferredClientValue node = shippedNodes.get(k);
            if (results.get(k) == null) {
                if (returned[k]) {
                    throw new IllegalStateException(
                            "no result came back for " + node.describe() + ", which the rest of the pass reads");
                }
                continue;
            }
            node.type().member().checkAssignableFrom(results.get(k).type(), "shipped result of " + node.describe());
            memo.put(node, results.get(k));
        }
    }
}
