package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * fl4j commands run in this JVM as a user types them, and a {@code fl4j server} with its {@code fl4j client}s,
 * for the tests of the deployment commands. Every wait is bounded and fails naming what it waited for.
 */
final class CommandRuns {

    private static final Pattern LISTENING = Pattern.compile("listening on (127\\.0\\.0\\.1:\\d+)");

    private CommandRuns() {}

    /** Runs a command; its output goes to {@code out}; returns the exit code and the error text. */
    static Object[] run(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Object[] {code, err.toString()};
    }

    /** What a served run printed: the server's output and each client's, in client order. */
    record Served(String server, List<String> clients) {}

    /**
     * Runs {@code fl4j server} with {@code serverArgs} and {@code clients} {@code fl4j client}s whose arguments
     * {@code clientArgs} gives for the server's address and the client's number; checks that the server ends
     * with 0 within {@code serverTimeout} and every client with 0 within a minute after it.
     */
    static Served serve(
            List<String> serverArgs,
            int clients,
            BiFunction<String, Integer, List<String>> clientArgs,
            Duration serverTimeout)
            throws Exception {
        Server server = Server.start(serverArgs);
        List<StringWriter> outs = new ArrayList<>();
        List<CompletableFuture<Object[]>> running = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            String[] args = clientArgs.apply(server.address(), k).toArray(String[]::new);
            StringWriter out = new StringWriter();
            outs.add(out);
            running.add(CompletableFuture.supplyAsync(() -> run(out, args)));
        }
        String serverOut = server.awaitSuccess(serverTimeout);
        List<String> clientOuts = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            Object[] r = running.get(k).get(60, TimeUnit.SECONDS);
            assertEquals(0, r[0], "client " + k + ": " + outs.get(k) + "\n" + r[1]);
            clientOuts.add(outs.get(k).toString());
        }
        return new Served(serverOut, clientOuts);
    }

    /** A {@code fl4j server} running in the background, started once it has printed where it listens. */
    static final class Server {
        private final StringWriter out = new StringWriter();
        private final CompletableFuture<Object[]> exit;
        private final String address;

        private Server(List<String> args) throws InterruptedException {
            String[] a = args.toArray(String[]::new);
            exit = CompletableFuture.supplyAsync(() -> run(out, a));
            Matcher listening = LISTENING.matcher("");
            for (int i = 0; i < 600 && !listening.reset(out.toString()).find(); i++) {
                assertTrue(!exit.isDone(), () -> "server ended: " + out + exit.join()[1]);
                Thread.sleep(100);
            }
            assertTrue(
                    listening.reset(out.toString()).find(), () -> "the server never printed where it listens: " + out);
            address = listening.group(1);
        }

        /** Starts {@code fl4j server} with {@code args} and waits up to a minute for its listening line. */
        static Server start(List<String> args) throws InterruptedException {
            return new Server(args);
        }

        /** The {@code HOST:PORT} the server listens on. */
        String address() {
            return address;
        }

        /** Waits for the server to end with exit code 0 within {@code timeout}; returns its output. */
        String awaitSuccess(Duration timeout) throws Exception {
            Object[] s;
            try {
                s = exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the server did not finish in " + timeout + ": " + out, e);
            }
            assertEquals(0, s[0], out + "\n" + s[1]);
            return out.toString();
        }
    }
}
