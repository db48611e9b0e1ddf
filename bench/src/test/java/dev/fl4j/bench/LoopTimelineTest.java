package dev.fl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoopTimelineTest {

    private static final long MS = 1_000_000L;

    @Test
    void splitsEachWorkersTimeOutsideItsLoopsIntoBeforeBetweenAfterAndIdle() throws InterruptedException {
        LoopTimeline t = new LoopTimeline();
        // Round [0, 100] ms on 3 workers: one thread runs passes [10, 40] and [45, 90], another [5, 95]; the
        // third worker runs nothing. A pass outside the round is ignored.
        Thread a = new Thread(() -> {
            t.add(10 * MS, 40 * MS);
            t.add(45 * MS, 90 * MS);
            t.add(150 * MS, 160 * MS);
        });
        Thread b = new Thread(() -> t.add(5 * MS, 95 * MS));
        a.start();
        b.start();
        a.join();
        b.join();
        LoopTimeline.Outside o = t.outside(List.<long[]>of(new long[] {0, 100 * MS}), 3);
        assertEquals((10 + 5) / 3.0, o.before(), 1e-9);
        assertEquals(5 / 3.0, o.between(), 1e-9);
        assertEquals(1 / 3.0, o.gaps(), 1e-9);
        assertEquals((10 + 5) / 3.0, o.after(), 1e-9);
        assertEquals(100 / 3.0, o.idle(), 1e-9);
        assertEquals((300 - 30 - 45 - 90) / 3.0, o.total(), 1e-9, "the round's time minus the passes in it");
        assertEquals((30 + 45 + 90 + 10) * MS, t.totalNanos());
        t.clear();
        assertEquals(0, t.totalNanos());
    }
}
