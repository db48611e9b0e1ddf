package dev.fl4j.data.parquet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet's page codecs without Hadoop: parquet-java's own codec factory loads Hadoop's
 * {@code CompressionCodec} classes even for Snappy, so fl4j brings its own. Uncompressed pages,
 * Snappy (snappy-java, Spark's default codec) and gzip (the JDK's) are read and written; a file whose
 * pages use another codec (ZSTD, LZ4, Brotli, LZO) is refused with the codec's name.
 */
final class Codecs implements CompressionCodecFactory {

    /** Thrown for a codec fl4j does not read; the reader reports it with the file. */
    static final class UnsupportedCodecException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        UnsupportedCodecException(CompressionCodecName codec) {
            super("pages compressed with " + codec + ", which fl4j does not read (it reads UNCOMPRESSED, SNAPPY,"
                    + " GZIP)");
        }
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED, SNAPPY, GZIP -> new Compressor(codec);
            default -> throw new UnsupportedCodecException(codec);
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED, SNAPPY, GZIP -> new Decompressor(codec);
            default -> throw new UnsupportedCodecException(codec);
        };
    }

    @Override
    public void release() {}

    private record Compressor(CompressionCodecName codec) implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            return switch (codec) {
                case UNCOMPRESSED -> bytes;
                case SNAPPY -> BytesInput.from(Snappy.compress(bytes.toByteArray()));
                default -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                        bytes.writeAllTo(gz);
                    }
                    yield BytesInput.from(out.toByteArray());
                }
            };
        }

        @Override
        public CompressionCodecName getCodecName() {
            return codec;
        }

        @Override
        public void release() {}
    }

    private record Decompressor(CompressionCodecName codec) implements BytesInputDecompressor {
        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            if (codec == CompressionCodecName.UNCOMPRESSED) {
                return bytes;
            }
            return BytesInput.from(decompress(bytes.toByteArray(), uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] in = new byte[compressedSize];
            input.get(in);
            output.put(codec == CompressionCodecName.UNCOMPRESSED ? in : decompress(in, uncompressedSize));
        }

        private byte[] decompress(byte[] in, int uncompressedSize) throws IOException {
            if (uncompressedSize < 0) {
                throw new IOException("negative uncompressed page size " + uncompressedSize);
            }
            byte[] out;
            if (codec == CompressionCodecName.SNAPPY) {
                if (!Snappy.isValidCompressedBuffer(in) || Snappy.uncompressedLength(in) != uncompressedSize) {
                    throw new IOException("a Snappy page that does not decompress to " + uncompressedSize + " bytes");
                }
                out = Snappy.uncompress(in);
            } else {
                try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(in))) {
                    out = gz.readNBytes(uncompressedSize);
                    if (gz.read() >= 0) {
                        throw new IOException("a gzip page longer than " + uncompressedSize + " bytes");
                    }
                }
            }
            if (out.length != uncompressedSize) {
                throw new IOException("a page of " + out.length + " bytes, its header says " + uncompressedSize);
            }
            return out;
        }

        @Override
        public void release() {}
    }
}
