package dev.fl4j.secagg;

import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;

/** A SecAgg+ session driven by hand in tests: a server, its clients, and the messages of each stage. */
final class Harness {

    final SecAggPlusParameters p;
    final SecAggPlusServer server;
    final SecAggPlusClient[] clients;
    final long[][] inputs;
    Map<Integer, byte[]> toClients;
    final Map<Integer, byte[]> lastAnswers = new TreeMap<>();

    Harness(int n, int numShares, int threshold, int bitwidth, int length) {
        p = new SecAggPlusParameters(n, numShares, threshold, bitwidth, length);
        server = new SecAggPlusServer(p);
        clients = new SecAggPlusClient[n + 1];
        inputs = new long[n + 1][];
        SecureRandom r = new SecureRandom();
        for (int id = 1; id <= n; id++) {
            clients[id] = new SecAggPlusClient();
            inputs[id] = new long[length];
            for (int j = 0; j < length; j++) {
                inputs[id][j] = r.nextLong() & (p.modulus() - 1);
            }
        }
        toClients = server.start();
    }

    /** Each listed client answers the current stage's message (others stay silent); returns the answers. */
    Map<Integer, byte[]> answer(java.util.function.IntPredicate answers) {
        lastAnswers.clear();
        for (Map.Entry<Integer, byte[]> e : toClients.entrySet()) {
            int id = e.getKey();
            if (!answers.test(id)) {
                continue;
            }
            SecAggPlusClient c = clients[id];
            byte[] a = switch (c.stage()) {
                case AWAITING_SETUP -> c.onSetup(e.getValue());
                case AWAITING_NEIGHBOUR_KEYS -> c.onNeighbourKeys(e.getValue());
                case AWAITING_FORWARDED_SHARES -> c.onForwardedShares(e.getValue(), inputs[id]);
                case AWAITING_UNMASK_REQUEST -> c.onUnmaskRequest(e.getValue());
                case DONE -> throw new IllegalStateException("client " + id + " is done");
            };
            lastAnswers.put(id, a);
        }
        return lastAnswers;
    }

    /** Answers, delivers every answer to the server, and advances. */
    void stage(java.util.function.IntPredicate answers) {
        for (byte[] a : answer(answers).values()) {
            server.receive(a);
        }
        toClients = server.advance();
    }

    /** The plain modular sum of the given clients' inputs. */
    long[] plainSum(Iterable<Integer> ids) {
        long[] s = new long[p.vectorLength()];
        for (int id : ids) {
            for (int j = 0; j < s.length; j++) {
                s[j] = (s[j] + inputs[id][j]) & (p.modulus() - 1);
            }
        }
        return s;
    }
}
