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
 * stays with the caller and reads the shipped results through {@link #prefill}.
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

    /** The shippable part of a pass over {@code ids}, or null when nothing in it can ship. */
    static ShippedPassBuilder of(
            List<String> ids, List<DeferredClientValue> passNodes, Map<ClientValues, dev.fl4j.core.Struct> zips) {
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
        return b.shippedNodes.isEmpty() ? null : b;
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
                ids, ShippedPass.encodePlan(descriptors, inputs), broadcasts, clientInputs, shippedNodes.size());
    }

    /** Puts one client's shipped results where the rest of its work will look them up. */
    void prefill(Map<DeferredClientValue, Value> memo, List<Value> results) {
        if (results.size() != shippedNodes.size()) {
            throw new IllegalStateException("the shipper returned " + results.size() + " results for "
                    + shippedNodes.size() + " shipped nodes");
        }
        for (int k = 0; k < results.size(); k++) {
            DeferredClientValue node = shippedNodes.get(k);
            node.type().member().checkAssignableFrom(results.get(k).type(), "shipped result of " + node.describe());
            memo.put(node, results.get(k));
        }
    }
}
