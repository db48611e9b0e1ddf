/**
 * JMH microbenchmarks, apart from the launcher's class path. JMH has no module descriptor and is read as
 * the automatic module {@code jmh.core} (its name comes from the jar's file name); the code JMH's annotation
 * processor generates ({@code dev.fl4j.bench.jmh.jmh_generated}) is compiled into this module and not exported,
 * as the JMH runner loads it from the class path.
 */
module dev.fl4j.bench.jmh {
    requires dev.fl4j.learning;
    requires jmh.core;
    requires org.bouncycastle.provider;

    exports dev.fl4j.bench.jmh;
}
