package dev.fl4j.spark;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.runtime.PortableClientLoader;
import dev.fl4j.core.runtime.ShippedPass;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.AccumulatorV2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Tells the driver which clients loaded and trained in the executors are done, as their tasks complete:
 * each task adds its clients' ids to a {@link Done} accumulator of the pass, Spark brings a successful
 * task's additions back with its result, and this listener hands them to the pass's
 * {@link PortableClientLoader}s ({@link PortableClientLoader#loadedElsewhere}), which is how a training
 * loop's progress bar advances when its clients load where they train. A client is told once per pass;
 * when the pass has returned, the clients whose tasks' events the listener has not seen yet are told
 * then, and later events of the pass are ignored.
 */
final class ClientProgress extends SparkListener {

    private final Map<Long, Pass> passes = new ConcurrentHashMap<>();

    /**
     * Follows {@code pass}: the accumulator its tasks add their done clients to, or null when no client
     * input of the pass loads in the executors (the driver loaded them, and its loaders saw it).
     */
    Pass begin(JavaSparkContext sc, ShippedPass pass) {
        List<PortableClientLoader> loaders = new ArrayList<>();
        for (ClientValues c : pass.clientInputs()) {
            if (c.loader().orElse(null) instanceof PortableClientLoader l) {
                loaders.add(l);
            }
        }
        if (loaders.isEmpty()) {
            return null;
        }
        Done done = new Done();
        sc.sc().register(done, "fl4j.clients_done");
        Pass p = new Pass(done, loaders, pass.clientIds());
        passes.put(done.id(), p);
        return p;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo() == null || passes.isEmpty()) {
            return;
        }
        for (AccumulableInfo info : CollectionConverters.asJava(end.taskInfo().accumulables())) {
            Pass p = passes.get(info.id());
            if (p != null && info.update().isDefined() && info.update().get() instanceof List<?> ids) {
                for (Object id : ids) {
                    p.tell(String.valueOf(id));
                }
            }
        }
    }

    /** One pass followed: its accumulator, the loaders to tell and the clients told so far. */
    final class Pass {
        private final Done done;
        private final List<PortableClientLoader> loaders;
        private final List<String> clientIds;
        private final Set<String> told = new HashSet<>();
        private boolean ended;

        private Pass(Done done, List<PortableClientLoader> loaders, List<String> clientIds) {
            this.done = done;
            this.loaders = loaders;
            this.clientIds = clientIds;
        }

        /** The accumulator the pass's tasks add their done clients to. */
        Done accumulator() {
            return done;
        }

        private synchronized void tell(String id) {
            if (!ended && told.add(id)) {
                for (PortableClientLoader l : loaders) {
                    l.loadedElsewhere(id);
                }
            }
        }

        /**
         * The pass has returned: when it {@code succeeded}, every client not told yet is told now; then the pass's
         * later task events are ignored.
         */
        synchronized void end(boolean succeeded) {
            passes.remove(done.id());
            if (succeeded) {
                clientIds.forEach(this::tell);
            }
            ended = true;
        }
    }

    /**
     * The ids of the clients a task has done. The driver's copy keeps nothing ({@link #merge} drops what
     * arrives): the listener reads each task's ids from its completion event, so a pass of a million
     * clients holds no list of them on the driver.
     */
    static final class Done extends AccumulatorV2<String, List<String>> {
        private static final long serialVersionUID = 1L;
        private ArrayList<String> ids = new ArrayList<>();

        @Override
        public boolean isZero() {
            return ids.isEmpty();
        }

        @Override
        public AccumulatorV2<String, List<String>> copy() {
            Done copy = new Done();
            copy.ids = new ArrayList<>(ids);
            return copy;
        }

        @Override
        public void reset() {
            ids = new ArrayList<>();
        }

        @Override
        public void add(String id) {
            ids.add(id);
        }

        @Override
        public void merge(AccumulatorV2<String, List<String>> other) {
            // the driver's copy keeps nothing: the listener has read the task's ids from its event
        }

        @Override
        public List<String> value() {
            return ids;
        }
    }
}
