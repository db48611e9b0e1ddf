import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds fl4j's application jar for spark-submit: one jar holding every entry of a class path (jars
 * and class directories, the first entry of a name wins), run as a single-file program from the
 * build ({@code java JarMerger.java OUT MAIN_CLASS CLASSPATH}).
 *
 * <p>Entries of jars are copied as they are stored, compressed bytes and all, never inflated and
 * deflated again: TensorFlow's native library alone is 630 MB uncompressed, and recompressing it
 * on every build would cost a minute of CPU. Files of class directories are deflated. Service
 * registrations ({@code META-INF/services/*}) of all inputs are concatenated; manifests, signatures
 * and {@code module-info.class} files are dropped (the jar runs on a class path); the jar's manifest
 * names the main class and is multi-release. Nothing is written when the jar is newer than every
 * input. ZIP64 inputs, and more than 65535 entries, are refused with a message.
 */
public final class JarMerger {

    private static final int LOCAL = 0x04034b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int END = 0x06054b50;
    private static final int DOS_DATE_1980 = (1 << 5) | 1; // 1980-01-01, time 00:00
    private static final int UTF8_FLAG = 0x800;

    private record Central(String name, int flags, int method, int time, int date, long crc, long csize, long usize,
            long offset) {}

    private final FileChannel out;
    private final List<Central> written = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, ByteArrayOutputStream> services = new LinkedHashMap<>();

    private JarMerger(FileChannel out) {
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: java JarMerger.java OUT MAIN_CLASS CLASSPATH");
        }
        Path target = Path.of(args[0]);
        List<Path> inputs = new ArrayList<>();
        for (String e : args[2].split(java.io.File.pathSeparator)) {
            if (!e.isBlank()) {
                inputs.add(Path.of(e));
            }
        }
        String newer = newerInput(target, inputs);
        if (newer == null) {
            System.out.println("JarMerger: " + target + " is up to date");
            return;
        }
        long start = System.nanoTime();
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            JarMerger m = new JarMerger(ch);
            String manifest = "Manifest-Version: 1.0\r\nMain-Class: " + args[1]
                    + "\r\nMulti-Release: true\r\nCreated-By: fl4j JarMerger\r\n\r\n";
            m.addBytes("META-INF/MANIFEST.MF", manifest.getBytes(StandardCharsets.UTF_8));
            for (Path in : inputs) {
                if (Files.isDirectory(in)) {
                    m.addDirectory(in);
                } else if (Files.isRegularFile(in)) {
                    m.addJar(in);
                }
            }
            for (Map.Entry<String, ByteArrayOutputStream> s : m.services.entrySet()) {
                m.addBytes(s.getKey(), s.getValue().toByteArray());
            }
            m.finish();
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf(
                "JarMerger: wrote %s (%d class path entries, %s) in %.1f s%n",
                target, inputs.size(), newer, (System.nanoTime() - start) / 1e9);
    }

    /** Why the jar is (re)built: no jar yet, or an input file newer than it; null when it is up to date. */
    private static String newerInput(Path target, List<Path> inputs) throws IOException {
        if (!Files.exists(target)) {
            return "no jar yet";
        }
        long built = Files.getLastModifiedTime(target).toMillis();
        for (Path in : inputs) {
            if (!Files.exists(in)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(in)) {
                java.util.Optional<Path> newer =
                        files.filter(f -> Files.isRegularFile(f) && modified(f) >= built).findFirst();
                if (newer.isPresent()) {
                    return newer.get() + " is newer";
                }
            }
        }
        return null;
    }

    private static long modified(Path f) {
        try {
            return Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Whether an entry of an input is left out of the jar. */
    private static boolean skipped(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return upper.equals("META-INF/MANIFEST.MF")
                || upper.equals("META-INF/INDEX.LIST")
                || (upper.startsWith("META-INF/") && !upper.substring(9).contains("/")
                        && (upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA")
                                || upper.endsWith(".EC")))
                || name.equals("module-info.class")
                || (name.startsWith("META-INF/versions/") && name.endsWith("/module-info.class"));
    }

    private static boolean isService(String name) {
        return name.startsWith("META-INF/services/") && !name.endsWith("/");
    }

    private void addDirectory(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String name = dir.relativize(f).toString().replace(java.io.File.separatorChar, '/');
            if (skipped(name)) {
                continue;
            }
            byte[] data = Files.readAllBytes(f);
            if (isService(name)) {
                service(name, data);
            } else if (!names.contains(name)) {
                addBytes(name, data);
            }
        }
    }

    private void service(String name, byte[] data) {
        ByteArrayOutputStream b = services.computeIfAbsent(name, k -> new ByteArrayOutputStream());
        b.writeBytes(data);
        b.write('\n');
    }

    /** Adds a new entry, deflated. */
    private void addBytes(String name, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(data);
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        while (!d.finished()) {
            packed.write(buf, 0, d.deflate(buf));
        }
        d.end();
        byte[] p = packed.toByteArray();
        long offset = writeLocal(name, UTF8_FLAG, 8, 0, DOS_DATE_1980, crc.getValue(), p.length, data.length);
        writeFully(ByteBuffer.wrap(p));
        written.add(new Central(name, UTF8_FLAG, 8, 0, DOS_DATE_1980, crc.getValue(), p.length, data.length, offset));
        names.add(name);
    }

    private void addJar(Path jar) throws IOException {
        try (FileChannel in = FileChannel.open(jar, StandardOpenOption.READ)) {
            long size = in.size();
            int tail = (int) Math.min(size, 65557);
            ByteBuffer end = read(in, size - tail, tail);
            int at = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (end.getInt(i) == END) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                throw new IOException(jar + " is not a jar (no end of central directory)");
            }
            int count = Short.toUnsignedInt(end.getShort(at + 10));
            long cdSize = Integer.toUnsignedLong(end.getInt(at + 12));
            long cdOffset = Integer.toUnsignedLong(end.getInt(at + 16));
            if (count == 0xFFFF || cdOffset == 0xFFFFFFFFL) {
                throw new IOException(jar + " is a ZIP64 archive, which this merger does not read");
            }
            ByteBuffer cd = read(in, cdOffset, (int) cdSize);
            int p = 0;
            for (int e = 0; e < count; e++) {
                if (cd.getInt(p) != CENTRAL) {
                    throw new IOException(jar + ": bad central directory entry #" + e);
                }
                int flags = Short.toUnsignedInt(cd.getShort(p + 8));
                int method = Short.toUnsignedInt(cd.getShort(p + 10));
                int time = Short.toUnsignedInt(cd.getShort(p + 12));
                int date = Short.toUnsignedInt(cd.getShort(p + 14));
                long crc = Integer.toUnsignedLong(cd.getInt(p + 16));
                long csize = Integer.toUnsignedLong(cd.getInt(p + 20));
                long usize = Integer.toUnsignedLong(cd.getInt(p + 24));
                int n = Short.toUnsignedInt(cd.getShort(p + 28));
                int m = Short.toUnsignedInt(cd.getShort(p + 30));
                int k = Short.toUnsignedInt(cd.getShort(p + 32));
                long local = Integer.toUnsignedLong(cd.getInt(p + 42));
                byte[] nb = new byte[n];
                cd.get(p + 46, nb);
                p += 46 + n + m + k;
                if (csize == 0xFFFFFFFFL || usize == 0xFFFFFFFFL || local == 0xFFFFFFFFL) {
                    throw new IOException(jar + " has ZIP64 entries, which this merger does not read");
                }
                String name = new String(nb, (flags & UTF8_FLAG) != 0 ? StandardCharsets.UTF_8
                        : StandardCharsets.ISO_8859_1);
                if (skipped(name) || (!isService(name) && names.contains(name))) {
                    continue;
                }
                ByteBuffer lh = read(in, local, 30);
                if (lh.getInt(0) != LOCAL) {
                    throw new IOException(jar + ": bad local header of " + name);
                }
                long data = local + 30 + Short.toUnsignedInt(lh.getShort(26)) + Short.toUnsignedInt(lh.getShort(28));
                if (isService(name)) {
                    service(name, inflate(read(in, data, (int) csize), method, (int) usize, jar, name));
                    continue;
                }
                int f = (flags & UTF8_FLAG) | UTF8_FLAG;
                long offset = writeLocal(name, f, method, time, date, crc, csize, usize);
                long copied = 0;
                while (copied < csize) {
                    copied += in.transferTo(data + copied, csize - copied, out);
                }
                written.add(new Central(name, f, method, time, date, crc, csize, usize, offset));
                names.add(name);
            }
        }
    }

    private static byte[] inflate(ByteBuffer raw, int method, int usize, Path jar, String name) throws IOException {
        byte[] in = new byte[raw.remaining()];
        raw.get(in);
        if (method == 0) {
            return in;
        }
        if (method != 8) {
            throw new IOException(jar + ": " + name + " uses compression method " + method);
        }
        java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
        inf.setInput(in);
        byte[] out = new byte[usize];
        try {
            int got = 0;
            while (got < usize && !inf.finished()) {
                got += inf.inflate(out, got, usize - got);
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new IOException(jar + ": " + name + " is damaged", e);
        } finally {
            inf.end();
        }
        return out;
    }

    private long writeLocal(String name, int flags, int method, int time, int date, long crc, long csize, long usize)
            throws IOException {
        if (written.size() >= 0xFFFF) {
            throw new IOException("more than 65535 entries: this merger does not write ZIP64");
        }
        if (out.position() + csize >= 0xFFFFFFFFL) {
            throw new IOException("the jar would pass 4 GiB: this merger does not write ZIP64");
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        long offset = out.position();
        ByteBuffer h = ByteBuffer.allocate(30 + n.length).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(LOCAL).putShort((short) 20).putShort((short) flags).putShort((short) method)
                .putShort((short) time).putShort((short) date).putInt((int) crc).putInt((int) csize)
                .putInt((int) usize).putShort((short) n.length).putShort((short) 0).put(n).flip();
        writeFully(h);
        return offset;
    }

    private void finish() throws IOException {
        long start = out.position();
        for (Central c : written) {
            byte[] n = c.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = ByteBuffer.allocate(46 + n.length).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(CENTRAL).putShort((short) 20).putShort((short) 20).putShort((short) c.flags())
                    .putShort((short) c.method()).putShort((short) c.time()).putShort((short) c.date())
                    .putInt((int) c.crc()).putInt((int) c.csize()).putInt((int) c.usize())
                    .putShort((short) n.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt((int) c.offset()).put(n).flip();
            writeFully(h);
        }
        long size = out.position() - start;
        ByteBuffer e = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(END).putShort((short) 0).putShort((short) 0).putShort((short) written.size())
                .putShort((short) written.size()).putInt((int) size).putInt((int) start).putShort((short) 0).flip();
        writeFully(e);
    }

    private static ByteBuffer read(FileChannel in, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (in.read(b, at + b.position()) < 0) {
                throw new IOException("unexpected end of file at " + (at + b.position()));
            }
        }
        return b.flip();
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }
}
