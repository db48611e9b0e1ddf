package dev.fl4j.simulation.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.fl4j.simulation.data.Examples;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A real HTTP server on a loopback port serving the files of {@code served}, 404 otherwise. */
    private URI serve(Path served) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/fmnist/", ex -> {
            requests.incrementAndGet();
            Path f = served.resolve(ex.getRequestURI().getPath().substring("/fmnist/".length()));
            if (Files.isRegularFile(f)) {
                byte[] b = Files.readAllBytes(f);
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            } else {
                ex.sendResponseHeaders(404, -1);
                ex.close();
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fmnist/");
    }

    @Test
    void downloadsIntoCacheOnceThenReadsFromCache() throws Exception {
        Path remote = dir.resolve("remote");
        DatasetFixtures.writeDataset(remote, 30, 10, true);
        URI base = serve(remote);
        Path cache = dir.resolve("cache");
        FashionMnist fm = FashionMnist.builder()
                .optCacheDir(cache)
                .optSystemDir(dir.resolve("nowhere"))
                .optBaseUrl(base)
                .build();

        TrainTest tt = fm.loadData();
        assertEquals(30, tt.train().size());
        assertEquals(10, tt.test().size());
        assertEquals(4, requests.get());
        for (String f : FashionMnist.FILES) {
            assertEquals(-1, Files.mismatch(remote.resolve(f + ".gz"), cache.resolve(f + ".gz")), f);
        }
        try (var s = Files.list(cache)) {
            assertEquals(4, s.count(), "no temporary files left behind");
        }
        fm.loadData();
        assertEquals(4, requests.get(), "second load reads the cache");
    }

    @Test
    void prefersSystemDirectoryOverDownload() throws Exception {
        Path system = dir.resolve("system");
        DatasetFixtures.writeDataset(system, 20, 10, false);
        URI base = serve(dir.resolve("empty"));
        TrainTest tt = FashionMnist.builder()
                .optCacheDir(dir.resolve("cache"))
                .optSystemDir(system)
                .optBaseUrl(base)
                .build()
                .loadData();
        assertEquals(20, tt.train().size());
        assertEquals(0, requests.get());
    }

    @Test
    void failedDownloadSaysHowToGetTheData() throws Exception {
        URI base = serve(dir.resolve("empty"));
        Path cache = dir.resolve("cache");
        DatasetNotFoundException e = assertThrows(
                DatasetNotFoundException.class,
                () -> FashionMnist.builder()
                        .optCacheDir(cache)
                        .optSystemDir(dir.resolve("nowhere"))
                        .optBaseUrl(base)
                        .build()
                        .loadData());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains(cache.toString()), e.getMessage());
        assertTrue(!Files.exists(cache) || Files.list(cache).findAny().isEmpty(), "nothing partial in the cache");
    }

    @Test
    void damagedDownloadIsRemovedAndReported() throws Exception {
        Path remote = dir.resolve("remote");
        DatasetFixtures.writeDataset(remote, 30, 10, true);
        byte[] img = Files.readAllBytes(remote.resolve("t10k-images-idx3-ubyte.gz"));
        Files.write(remote.resolve("t10k-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(img, img.length - 40));
        URI base = serve(remote);
        Path cache = dir.resolve("cache");
        DatasetFileException e = assertThrows(
                DatasetFileException.class,
                () -> FashionMnist.builder()
                        .optCacheDir(cache)
                        .optSystemDir(dir.resolve("nowhere"))
                        .optBaseUrl(base)
                        .build()
                        .loadData());
        assertTrue(
                e.getMessage().contains("t10k-images-idx3-ubyte.gz")
                        && e.getMessage().contains("removed from the cache"),
                e.getMessage());
        assertTrue(FashionMnist.complete(cache) == null);
    }

    @Test
    void realDebianPackageFiles() {
        Path system = Path.of(FashionMnist.SYSTEM_DIR);
        assumeTrue(FashionMnist.complete(system) != null, "dataset-fashion-mnist is not installed");
        TrainTest tt = FashionMnist.builder()
                .optCacheDir(dir.resolve("empty-cache"))
                .optDownload(false)
                .build()
                .loadData();
        Examples train = tt.train();
        assertEquals(60_000, train.size());
        assertEquals(10_000, tt.test().size());
        int[] perClass = new int[10];
        for (int y : train.ints("y")) {
            perClass[y]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, perClass[c], "Fashion-MNIST training set has 6000 images of class " + c);
        }
        float min = 1;
        float max = 0;
        for (float v : train.floats("x")) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }
}
