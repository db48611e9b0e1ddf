package dev.fl4j.secagg;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SecAgg+ communication graph: a random Harary graph {@code H(k, n)} (Bell et al. 2020): the clients
 * are placed on a ring in a uniformly random order (Fisher–Yates with {@link SecureRandom}) and each is
 * joined to the {@code k/2} nearest on either side; with {@code k = n − 1} everyone is everyone's
 * neighbour. The graph is {@code k}-regular.
 */
final class Harary {

    private Harary() {}

    /** Neighbour sets of clients 1..n (index 0 unused). */
    static List<Set<Integer>> random(int clients, int neighbours, SecureRandom random) {
        int[] ring = new int[clients];
        for (int i = 0; i < clients; i++) {
            ring[i] = i + 1;
        }
        for (int i = clients - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = ring[i];
            ring[i] = ring[j];
            ring[j] = t;
        }
        List<Set<Integer>> out = new ArrayList<>(clients + 1);
        out.add(Set.of());
        for (int i = 0; i < clients; i++) {
            out.add(new TreeSet<>());
        }
        if (neighbours >= clients - 1) {
            for (int u = 1; u <= clients; u++) {
                for (int v = 1; v <= clients; v++) {
                    if (u != v) {
                        out.get(u).add(v);
                    }
                }
            }
            return out;
        }
        int half = neighbours / 2;
        for (int pos = 0; pos < clients; pos++) {
            for (int d = 1; d <= half; d++) {
                int u = ring[pos];
                int v = ring[(pos + d) % clients];
                out.get(u).add(v);
                out.get(v).add(u);
            }
        }
        return out;
    }
}
