package dev.fl4j.core.computation;

import dev.fl4j.core.Value;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records which test classes ran their static initializer, so a test can prove a class was never initialized. */
final class InitializationTripwire {

    static final List<String> INITIALIZED = new CopyOnWriteArrayList<>();

    private InitializationTripwire() {}

    /** A factory that is a valid {@link ComputationFactory} but not registered through ServiceLoader. */
    public static final class UnregisteredFactory implements ComputationFactory {
        static {
            INITIALIZED.add("UnregisteredFactory");
        }

        @Override
        public LocalComputation create(String config, Value payload) {
            return new SequenceMeanFactory().create(config, payload);
        }
    }

    /** Not a factory at all; its static initializer stands for any side effect a named class could have. */
    public static final class NotAFactory {
        static {
            INITIALIZED.add("NotAFactory");
        }
    }
}
