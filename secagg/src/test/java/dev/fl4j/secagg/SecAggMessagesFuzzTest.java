package dev.fl4j.secagg;

import dev.fl4j.core.testing.Fuzz;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every message a server or a client receives, mutated: each input ends in an answer or a
 * {@link SecAggException}, never in another exception or an allocation a count field asked for (the
 * fuzz execution's heap is 256 MiB).
 */
class SecAggMessagesFuzzTest {

    private static final int N = 7;

    /** A session advanced to the given number of completed stages, with the current stage's messages. */
    private static Harness at(int stages) {
        Harness h = new Harness(N, 5, 3, 13, 40);
        for (int s = 0; s < stages; s++) {
            h.stage(id -> true);
        }
        return h;
    }

    /** A receiver rebuilt after an input it accepted, so every input meets the same state. */
    private static final class Fresh<T> {
        private final Supplier<T> make;
        private T current;

        Fresh(Supplier<T> make) {
            this.make = make;
        }

        T get() {
            if (current == null) {
                current = make.get();
            }
            return current;
        }

        void spent() {
            current = null;
        }
    }

    @Test
    void theServerEndsInAStateOrARefusalOnAnyInput() {
        for (int stage = 0; stage < 4; stage++) {
            int completed = stage;
            Fresh<Harness> h = new Fresh<>(() -> {
                Harness x = at(completed);
                x.answer(id -> true);
                return x;
            });
            Fuzz fuzz = Fuzz.named("secagg server stage " + stage)
                    .expecting(SecAggException.class)
                    .inputs(1_500);
            for (byte[] m : h.get().lastAnswers.values()) {
                fuzz.seed(m);
            }
            fuzz.run(bytes -> {
                h.get().server.receive(bytes);
                h.spent();
            });
        }
    }

    @Test
    void theClientEndsInAnAnswerOrARefusalOnAnyInput() {
        for (int stage = 0; stage < 4; stage++) {
            int completed = stage;
            Fresh<Harness> h = new Fresh<>(() -> at(completed));
            Fuzz fuzz = Fuzz.named("secagg client stage " + stage)
                    .expecting(SecAggException.class)
                    .inputs(1_500);
            for (Map.Entry<Integer, byte[]> e : h.get().toClients.entrySet()) {
                if (e.getKey() == 1) {
                    fuzz.seed(e.getValue());
                }
            }
            fuzz.seed(h.get().toClients.get(2));
            fuzz.run(bytes -> {
                Harness x = h.get();
                SecAggPlusClient c = x.clients[1];
                switch (c.stage()) {
                    case AWAITING_SETUP -> c.onSetup(bytes);
                    case AWAITING_NEIGHBOUR_KEYS -> c.onNeighbourKeys(bytes);
                    case AWAITING_FORWARDED_SHARES -> c.onForwardedShares(bytes, x.inputs[1]);
                    case AWAITING_UNMASK_REQUEST -> c.onUnmaskRequest(bytes);
                    case DONE -> throw new IllegalStateException("done");
                }
                h.spent();
            });
            Fuzz.named("secagg message type")
                    .expecting(SecAggException.class)
                    .inputs(500)
                    .seed(h.get().toClients.get(1))
                    .run(SecAggMessages::typeOf);
        }
    }
}
