package org.apache.parquet;

import java.util.HashMap;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.converter.ParquetMetadataConverter;

/**
 * Read options for parquet-java's {@code ParquetFileReader} made without Hadoop. Both constructors of
 * {@code ParquetReadOptions.Builder} load Hadoop classes (the record filter is looked up through
 * {@code ParquetInputFormat}, a Hadoop {@code FileInputFormat}), while the options themselves need none,
 * so this class, in parquet-java's package on the class path, calls the package-private constructor the
 * builder calls, with the builder's defaults but filters off (fl4j reads whole files), fl4j's codecs,
 * and a plain configuration. The constructor's signature is that of parquet-java 1.17.0 (the version
 * the build pins, Spark 4.2's); a change to it fails the data-parquet tests at their first read.
 */
public final class HadoopFreeReadOptions {

    /** parquet-java's default {@code parquet.read.allocation.size}. */
    private static final int MAX_ALLOCATION = 8 << 20;

    private HadoopFreeReadOptions() {}

    /** Options reading whole files, pages decompressed by {@code codecs}. */
    public static ParquetReadOptions create(CompressionCodecFactory codecs) {
        return new ParquetReadOptions(
                false, // useSignedStringMinMax
                false, // useStatsFilter
                false, // useDictionaryFilter
                false, // useRecordFilter
                false, // useColumnIndexFilter
                true, // usePageChecksumVerification: a page whose CRC is written and wrong is refused
                false, // useBloomFilter
                false, // useOffHeapDecryptBuffer
                false, // useHadoopVectoredIo
                FilterCompat.NOOP,
                ParquetMetadataConverter.NO_FILTER,
                codecs,
                new HeapByteBufferAllocator(),
                MAX_ALLOCATION,
                new HashMap<>(),
                null,
                null,
                new PlainParquetConfiguration());
    }
}
