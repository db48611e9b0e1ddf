package dev.fl4j.simulation.data;

import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Pipeline stages over example row numbers of one {@link Examples}: nothing here allocates per
 * example. Batching turns row numbers into tensors ({@link Gather}).
 */
abstract class IndexPipeline extends Dataset {

    /** Row numbers, one at a time; {@code -1} at the end. */
    interface RowCursor {
        int next();
    }

    static final long SHUFFLE = Seeds.purpose("dataset/shuffle");

    abstract Examples examples();

    abstract RowCursor rows(long salt);

    @Override
    public Type elementType() {
        return examples().exampleType();
    }

    @Override
    Iterator<Value> values(long salt) {
        RowCursor c = rows(salt);
        Examples ex = examples();
        return new Iterator<>() {
            int next = c.next();

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public Value next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                Value v = ex.example(next);
                next = c.next();
                return v;
            }
        };
    }

    @Override
    public Dataset shuffle(int bufferSize, long seed) {
        return new Shuffle(this, requirePositive(bufferSize, "shuffle buffer size"), seed);
    }

    @Override
    public Dataset repeat(int count) {
        return new Repeat(this, requireRepeatCount(count));
    }

    @Override
    public Dataset take(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("take count must not be negative, got " + count);
        }
        return new Take(this, count);
    }

    @Override
    Dataset batch(int size, boolean dropRemainder) {
        return new Gather(this, requirePositive(size, "batch size"), dropRemainder);
    }

    @Override
    public long count() {
        RowCursor c = rows(0L);
        long n = 0;
        while (c.next() >= 0) {
            n++;
        }
        return n;
    }

    static final class Rows extends IndexPipeline {
        private final Examples examples;
        private final int[] rows;

        Rows(Examples examples, int[] rows) {
            this.examples = examples;
            this.rows = rows;
        }

        @Override
        Examples examples() {
            return examples;
        }

        @Override
        RowCursor rows(long salt) {
            int n = rows == null ? examples.size() : rows.length;
            return new RowCursor() {
                int i;

                @Override
                public int next() {
                    if (i >= n) {
                        return -1;
                    }
                    return rows == null ? i++ : rows[i++];
                }
            };
        }
    }

    abstract static class Stage extends IndexPipeline {
        final IndexPipeline parent;

        Stage(IndexPipeline parent) {
            this.parent = parent;
        }

        @Override
        Examples examples() {
            return parent.examples();
        }
    }

    static final class Shuffle extends Stage {
        private final int bufferSize;
        private final long seed;

        Shuffle(IndexPipeline parent, int bufferSize, long seed) {
            super(parent);
            this.bufferSize = bufferSize;
            this.seed = seed;
        }

        @Override
        RowCursor rows(long salt) {
            RowCursor in = parent.rows(salt);
            SplitMix64 rng = new SplitMix64(Seeds.derive(seed, SHUFFLE, salt));
            return new RowCursor() {
                int[] buffer;
                int filled;

                @Override
                public int next() {
                    if (buffer == null) {
                        buffer = new int[Math.min(bufferSize, 1024)];
                        int r;
                        while (filled < bufferSize && (r = in.next()) >= 0) {
                            if (filled == buffer.length) {
                                buffer =
                                        java.util.Arrays.copyOf(buffer, (int) Math.min(bufferSize, 2L * buffer.length));
                            }
                            buffer[filled++] = r;
                        }
                    }
                    if (filled == 0) {
                        return -1;
                    }
                    int j = rng.nextInt(filled);
                    int out = buffer[j];
                    int r = in.next();
                    if (r >= 0) {
                        buffer[j] = r;
                    } else {
                        buffer[j] = buffer[--filled];
                    }
                    return out;
                }
            };
        }
    }

    static final class Repeat extends Stage {
        private final int count;

        Repeat(IndexPipeline parent, int count) {
            super(parent);
            this.count = count;
        }

        @Override
        RowCursor rows(long salt) {
            return new RowCursor() {
                int repetition;
                RowCursor current = parent.rows(salt);
                boolean yieldedThisRepetition;

                @Override
                public int next() {
                    while (true) {
                        int r = current.next();
                        if (r >= 0) {
                            yieldedThisRepetition = true;
                            return r;
                        }
                        if (!yieldedThisRepetition) {
                            return -1; // an empty input stays empty however often it repeats
                        }
                        repetition++;
                        if (count != -1 && repetition >= count) {
                            return -1;
                        }
                        yieldedThisRepetition = false;
                        current = parent.rows(Seeds.derive(salt, repetition));
                    }
                }
            };
        }
    }

    static final class Take extends Stage {
        private final int count;

        Take(IndexPipeline parent, int count) {
            super(parent);
            this.count = count;
        }

        @Override
        RowCursor rows(long salt) {
            RowCursor in = parent.rows(salt);
            return new RowCursor() {
                int taken;

                @Override
                public int next() {
                    if (taken >= count) {
                        return -1;
                    }
                    int r = in.next();
                    if (r >= 0) {
                        taken++;
                    }
                    return r;
                }
            };
        }
    }

    /** Batches of rows copied into tensors, the bridge from row numbers to values. */
    static final class Gather extends ValuePipeline {
        private final IndexPipeline parent;
        private final int size;
        private final boolean dropRemainder;

        Gather(IndexPipeline parent, int size, boolean dropRemainder) {
            this.parent = parent;
            this.size = size;
            this.dropRemainder = dropRemainder;
        }

        @Override
        public Type elementType() {
            return parent.examples().batchType();
        }

        @Override
        Iterator<Value> values(long salt) {
            RowCursor in = parent.rows(salt);
            Examples ex = parent.examples();
            int[] rows = new int[size];
            return new Iterator<>() {
                Value next = advance();

                private Value advance() {
                    int n = 0;
                    int r;
                    while (n < size && (r = in.next()) >= 0) {
                        rows[n++] = r;
                    }
                    if (n == 0 || n < size && dropRemainder) {
                        return null;
                    }
                    return ex.gather(rows, 0, n);
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public Value next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    Value v = next;
                    next = advance();
                    return v;
                }
            };
        }
    }
}
