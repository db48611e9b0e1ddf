package dev.fl4j.simulation.datasets;

import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017): 60,000 training and 10,000 test greyscale 28×28 images of ten
 * clothing classes, as {@code <x=float32[28,28,1], y=int32>} examples with pixels in [0, 1].
 *
 * <p>The four IDX files ({@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz},
 * {@code t10k-images-idx3-ubyte.gz}, {@code t10k-labels-idx1-ubyte.gz}, or the same names without
 * {@code .gz}) are looked for, in order:
 * <ol>
 *   <li>in fl4j's cache, {@code DatasetDirs.cacheDir("fashion-mnist")};</li>
 *   <li>in {@value #SYSTEM_DIR}, where the Debian package {@code dataset-fashion-mnist} puts them;</li>
 *   <li>on the dataset's canonical server {@value #CANONICAL_BASE_URL}, downloaded into the cache
 *       (each file written atomically, so an interrupted download leaves no partial file).</li>
 * </ol>
 * If none works, {@link DatasetNotFoundException} says where it looked and how to install it. A file
 * that is present but damaged is reported as a {@link DatasetFileException}, not skipped.
 */
public final class FashionMnist {

    /** The dataset's canonical download address. */
    public static final String CANONICAL_BASE_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final String SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";
    /** The class names, by label. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    static final String[] FILES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
    };

    private final Path cacheDir;
    private final Path systemDir;
    private final URI baseUrl;
    private final boolean download;

    private FashionMnist(Builder b) {
        this.cacheDir = b.cacheDir != null ? b.cacheDir : DatasetDirs.cacheDir("fashion-mnist");
        this.systemDir = b.systemDir != null ? b.systemDir : Path.of(SYSTEM_DIR);
        this.baseUrl = b.baseUrl != null ? b.baseUrl : URI.create(CANONICAL_BASE_URL);
        this.download = b.download;
    }

    /** Loads from the default places (cache, system directory, canonical download). */
    public static TrainTest load() {
        return builder().build().loadData();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for where to look; all optional. */
    public static final class Builder {
        private Path cacheDir;
        private Path systemDir;
        private URI baseUrl;
        private boolean download = true;

        private Builder() {}

        /** The cache directory (default: {@code <fl4j dataset cache>/fashion-mnist}). */
        public Builder optCacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** The system directory (default {@value FashionMnist#SYSTEM_DIR}). */
        public Builder optSystemDir(Path dir) {
            this.systemDir = dir;
            return this;
        }

        /** The download base address (default the canonical one); file names are appended. */
        public Builder optBaseUrl(URI base) {
            String s = base.toString();
            this.baseUrl = s.endsWith("/") ? base : URI.create(s + "/");
            return this;
        }

        /** Whether to download when no local copy exists (default true). */
        public Builder optDownload(boolean download) {
            this.download = download;
            return this;
        }

        public FashionMnist build() {
            return new FashionMnist(this);
        }
    }

    /** Finds, downloads if needed, and reads the dataset. */
    public TrainTest loadData() {
        Path[] found = complete(cacheDir);
        if (found == null) {
            found = complete(systemDir);
        }
        boolean downloaded = false;
        if (found == null) {
            downloaded = true;
            if (!download) {
                throw notFound("downloading is switched off", null);
            }
            try {
                found = downloadToCache();
            } catch (IOException | RuntimeException e) {
                throw notFound("downloading from " + baseUrl + " failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw notFound("the download from " + baseUrl + " was interrupted", e);
            }
        }
        try {
            Examples train = Idx.labeledImages(found[0], found[1], 10);
            Examples test = Idx.labeledImages(found[2], found[3], 10);
            return new TrainTest(train, test);
        } catch (DatasetFileException e) {
            if (!downloaded) {
                throw e;
            }
            for (Path p : found) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // the error below names the damaged file either way
                }
            }
            throw new DatasetFileException(
                    e.file(),
                    "downloaded from " + baseUrl + " but unusable (removed from the cache): "
                            + e.getMessage().substring(e.file().toString().length() + 2),
                    e);
        }
    }

    private DatasetNotFoundException notFound(String why, Throwable cause) {
        return new DatasetNotFoundException(
                "Fashion-MNIST was not found in " + cacheDir + " nor in " + systemDir + ", and "
                        + why + ". Install it with 'apt-get install dataset-fashion-mnist' (Debian), or put the files "
                        + String.join(".gz, ", FILES) + ".gz into " + cacheDir + " (or set " + DatasetDirs.PROPERTY
                        + " / "
                        + DatasetDirs.ENV + ").",
                cause);
    }

    /** The four files in {@code dir} (gzip or plain), or null unless all are there. */
    static Path[] complete(Path dir) {
        Path[] out = new Path[FILES.length];
        for (int i = 0; i < FILES.length; i++) {
            Path gz = dir.resolve(FILES[i] + ".gz");
            Path plain = dir.resolve(FILES[i]);
            out[i] = Files.isRegularFile(gz) ? gz : Files.isRegularFile(plain) ? plain : null;
            if (out[i] == null) {
                return null;
            }
        }
        return out;
    }

    private Path[] downloadToCache() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        List<Path> written = new ArrayList<>();
        for (String f : FILES) {
            Path target = cacheDir.resolve(f + ".gz");
            if (Files.isRegularFile(target)) {
                written.add(target);
                continue;
            }
            URI uri = baseUrl.resolve(f + ".gz");
            HttpRequest req = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofMinutes(5))
                    .GET()
                    .build();
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = resp.body()) {
                if (resp.statusCode() != 200) {
                    throw new IOException("GET " + uri + " answered HTTP " + resp.statusCode());
                }
                AtomicFiles.write(target, out -> body.transferTo(out));
            }
            written.add(target);
        }
        return written.toArray(new Path[0]);
    }
}
