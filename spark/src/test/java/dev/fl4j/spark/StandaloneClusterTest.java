package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.simulation.training.TrainingResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkRuntime on a real Spark standalone cluster that the test starts and stops: a Master and two
 * Worker JVMs run from the Maven jars (this test's class path), bound to 127.0.0.1 on free ports,
 * each Worker with one core, so client work runs in two executor JVMs the Workers launch. FedAvg on
 * the cluster ends with bitwise LocalRuntime's model, even when one executor JVM is killed
 * (SIGKILL) while it runs a task: Spark runs the lost task again elsewhere and client work is
 * idempotent.
 *
 * <p>A Worker builds its executors' command with Spark's launcher, which wants a Spark home: the test
 * gives it an empty one ({@code SPARK_HOME} with an empty {@code jars} directory,
 * {@code SPARK_SCALA_VERSION=2.13}) and the executors get their classes from
 * {@code spark.executor.extraClassPath}, this JVM's class path.
 */
class StandaloneClusterTest {

    private static final String LOOPBACK = "127.0.0.1";

    @Test
    void fedAvgOnAStandaloneClusterSurvivesAKilledExecutorWithTheLocalModel(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "finds executor JVMs through /proc (Linux)");
        List<Process> started = new ArrayList<>();
        JavaSparkContext sc = null;
        try {
            int masterPort = freePort();
            String master = "spark://" + LOOPBACK + ":" + masterPort;
            Path home = Files.createDirectories(tmp.resolve("spark-home/jars")).getParent();
            started.add(startJvm(
                    tmp,
                    home,
                    "master",
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    LOOPBACK,
                    "--port",
                    String.valueOf(masterPort),
                    "--webui-port",
                    "0"));
            awaitPort(masterPort, started.get(0));
            for (int w = 0; w < 2; w++) {
                Path work = Files.createDirectories(tmp.resolve("work" + w));
                started.add(startJvm(
                        tmp,
                        home,
                        "worker" + w,
                        "org.apache.spark.deploy.worker.Worker",
                        "--host",
                        LOOPBACK,
                        "--port",
                        "0",
                        "--webui-port",
                        "0",
                        "--cores",
                        "1",
                        "--memory",
                        "768m",
                        "--work-dir",
                        work.toString(),
                        master));
            }

            // the reference run, while the cluster's JVMs start
            TrainingResult local;
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
                local = SparkRuntimeTest.fedAvg(rt);
            }

            sc = new JavaSparkContext(new SparkConf()
                    .setMaster(master)
                    .setAppName("fl4j-standalone-test")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", LOOPBACK)
                    .set("spark.driver.bindAddress", LOOPBACK)
                    .set("spark.executor.memory", "512m")
                    .set("spark.executor.cores", "1")
                    .set("spark.cores.max", "2")
                    .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                    .set("spark.executor.extraJavaOptions", "-XX:+UseSerialGC")
                    .set("spark.task.maxFailures", "4"));
            awaitExecutors(sc, 2, started);

            ExecutorKiller killer = new ExecutorKiller(started.subList(1, 3));
            sc.sc().addSparkListener(killer);
            TrainingResult onCluster;
            try (SparkRuntime rt = SparkRuntime.builder()
                    .optSparkContext(sc)
                    .optStateDirectory(tmp.resolve("state").toUri().toString())
                    .optPartitions(3)
                    .optInFlight(3)
                    .build()) {
                onCluster = SparkRuntimeTest.fedAvg(rt);
            }

            assertTrue(killer.killed.get() != null, "an executor JVM was killed while it ran a task");
            assertFalse(killer.killed.get().isAlive(), "the killed executor JVM is gone");
            assertFalse(
                    killer.lostTasks.isEmpty(),
                    "a task was lost with its executor and run again (task ends: " + killer.taskEnds + ")");
            assertEquals(local.model(), onCluster.model(), "model after 3 rounds on the cluster");
            assertEquals(SparkRuntimeTest.withoutTimes(local), SparkRuntimeTest.withoutTimes(onCluster));
            assertEquals(local.communication(), onCluster.communication());
            SparkShipper.BlockPassShape shape = SparkShipper.lastBlockPass;
            assertTrue(
                    shape != null && shape.partialsCollected() > 0 && shape.partialsHandedOver() == 0,
                    "executors in other JVMs send their partials encoded: " + shape);
        } finally {
            if (sc != null) {
                sc.stop();
            }
            for (int i = started.size() - 1; i >= 0; i--) {
                stop(started.get(i));
            }
        }
    }

    /**
     * Kills, with SIGKILL, the executor JVM that starts the run's first task, while it runs it (a fresh
     * executor loads TensorFlow and builds its session in its first task, which takes a while), and
     * records the tasks lost with it.
     */
    private static final class ExecutorKiller extends SparkListener {
        final AtomicBoolean armed = new AtomicBoolean(true);
        final java.util.concurrent.atomic.AtomicReference<ProcessHandle> killed =
                new java.util.concurrent.atomic.AtomicReference<>();
        final List<String> lostTasks = new CopyOnWriteArrayList<>();
        final List<String> taskEnds = new CopyOnWriteArrayList<>();
        private final List<Process> workers;

        ExecutorKiller(List<Process> workers) {
            this.workers = List.copyOf(workers);
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart start) {
            if (!armed.getAndSet(false)) {
                return;
            }
            String executor = start.taskInfo().executorId();
            ProcessHandle jvm = executorJvm(executor)
                    .orElseThrow(() -> new IllegalStateException("no JVM found for executor " + executor));
            jvm.destroyForcibly();
            killed.set(jvm);
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            taskEnds.add(end.reason().toString());
            if (end.reason() instanceof ExecutorLostFailure) {
                lostTasks.add(end.taskInfo().id());
            }
        }

        /** The executor JVM a Worker launched with {@code --executor-id id}. */
        private Optional<ProcessHandle> executorJvm(String id) {
            return workers.stream()
                    .flatMap(w -> w.toHandle().descendants())
                    .filter(p -> isExecutor(p, id))
                    .findFirst();
        }

        private static boolean isExecutor(ProcessHandle p, String id) {
            try {
                List<String> args = Arrays.asList(new String(
                                Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")),
                                StandardCharsets.UTF_8)
                        .split("\0"));
                int at = args.indexOf("--executor-id");
                return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")
                        && at >= 0
                        && at + 1 < args.size()
                        && args.get(at + 1).equals(id);
            } catch (IOException e) {
                return false; // it exited meanwhile
            }
        }
    }

    private static Process startJvm(Path tmp, Path sparkHome, String name, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx192m");
        command.add("-XX:+UseSerialGC");
        command.add("-Dspark.master.rest.enabled=false");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", LOOPBACK);
        pb.environment().put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Process owner) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!owner.isAlive()) {
                throw new IllegalStateException("the Spark master exited with " + owner.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the Spark master did not listen on " + port + " within 120 s");
    }

    private static void awaitExecutors(JavaSparkContext sc, int n, List<Process> started) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            // the driver is one of the executor infos
            if (sc.statusTracker().getExecutorInfos().length >= n + 1) {
                return;
            }
            for (Process p : started) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a Spark JVM exited with " + p.exitValue());
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("fewer than " + n + " executors registered within 180 s");
    }

    /** Stops a Master or Worker JVM and every process it started (a Worker's executors). */
    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.toHandle().descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        for (ProcessHandle c : children) {
            c.onExit().completeOnTimeout(c, 30, TimeUnit.SECONDS).join();
        }
    }
}
