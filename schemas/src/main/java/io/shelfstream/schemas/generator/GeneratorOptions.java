package io.shelfstream.schemas.generator;

import java.time.Instant;

import io.shelfstream.schemas.EventParser;

/**
 * What {@link LibraryGenerator} generates: sizes, seed, share of malformed records. Immutable; built with
 * {@link #builder()}, every setter validated on entry.
 *
 * <pre>{@code
 * GeneratorOptions o = GeneratorOptions.builder().setBooks(10_000).setStudents(2_000).setCheckouts(100_000)
 *         .setSeed(7).setMalformedFraction(0.01).build();
 * }</pre>
 */
public final class GeneratorOptions {

    /** Seed unless set otherwise. */
    public static final long DEFAULT_SEED = 42;
    /** The simulated school year starts here unless set otherwise (a Tuesday, 07:30 UTC). */
    public static final Instant DEFAULT_START = Instant.parse("2026-09-01T07:30:00Z");

    private final int books;
    private final int students;
    private final int checkouts;
    private final long seed;
    private final double malformedFraction;
    private final int maxRecordBytes;
    private final Instant start;

    private GeneratorOptions(Builder b) {
        this.books = b.books;
        this.students = b.students;
        this.checkouts = b.checkouts;
        this.seed = b.seed;
        this.malformedFraction = b.malformedFraction;
        this.maxRecordBytes = b.maxRecordBytes;
        this.start = b.start;
    }

    /** A builder with 100 books, 20 students, 1,000 checkout events, no malformed records. */
    public static Builder builder() {
        return new Builder();
    }

    /** Books in the catalog, each announced by a {@code book_added} event (some in batch events). */
    public int books() {
        return books;
    }

    /** Students in the catalog, each announced by a {@code student_added} event. */
    public int students() {
        return students;
    }

    /** Valid events on the {@code checkouts} topic ({@code checkout_created} and {@code checkout_returned}). */
    public int checkouts() {
        return checkouts;
    }

    /** The seed: the same options give the same catalog and the same records, byte for byte. */
    public long seed() {
        return seed;
    }

    /** Share of each topic's records that are malformed, in {@code [0, 1)}. */
    public double malformedFraction() {
        return malformedFraction;
    }

    /** The size limit {@code too_large} records exceed: set it to the job's {@code record.max-bytes}. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Simulated time of the first checkout; catalog events happen in the weeks before. */
    public Instant start() {
        return start;
    }

    @Override
    public String toString() {
        return "GeneratorOptions{books=" + books + ", students=" + students + ", checkouts=" + checkouts
                + ", seed=" + seed + ", malformedFraction=" + malformedFraction + ", maxRecordBytes="
                + maxRecordBytes + ", start=" + start + "}";
    }

    /** Builds {@link GeneratorOptions}. */
    public static final class Builder {

        private int books = 100;
        private int students = 20;
        private int checkouts = 1_000;
        private long seed = DEFAULT_SEED;
        private double malformedFraction;
        private int maxRecordBytes = EventParser.DEFAULT_MAX_RECORD_BYTES;
        private Instant start = DEFAULT_START;

        private Builder() {
        }

        public Builder setBooks(int books) {
            this.books = nonNegative("books", books);
            return this;
        }

        public Builder setStudents(int students) {
            this.students = nonNegative("students", students);
            return this;
        }

        public Builder setCheckouts(int checkouts) {
            this.checkouts = nonNegative("checkouts", checkouts);
            return this;
        }

        public Builder setSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder setMalformedFraction(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("malformed fraction must be in [0, 1), got " + fraction);
            }
            this.malformedFraction = fraction;
            return this;
        }

        public Builder setMaxRecordBytes(int maxRecordBytes) {
            if (maxRecordBytes < 1024) {
                throw new IllegalArgumentException("maxRecordBytes must be at least 1024 (a valid event must fit), got "
                        + maxRecordBytes);
            }
            this.maxRecordBytes = maxRecordBytes;
            return this;
        }

        public Builder setStart(Instant start) {
            if (start == null || start.isBefore(Instant.parse("0001-01-01T00:00:00Z"))
                    || start.isAfter(Instant.parse("9000-01-01T00:00:00Z"))) {
                throw new IllegalArgumentException("start must be between the years 0001 and 9000, got " + start);
            }
            this.start = start;
            return this;
        }

        /** The options; fails when checkouts are asked for without books or students to check out. */
        public GeneratorOptions build() {
            if (checkouts > 0 && (books == 0 || students == 0)) {
                throw new IllegalArgumentException("checkouts need at least one book and one student; got "
                        + books + " books and " + students + " students (set checkouts to 0, or add both)");
            }
            return new GeneratorOptions(this);
        }

        private static int nonNegative(String what, int n) {
            if (n < 0) {
                throw new IllegalArgumentException(what + " must not be negative, got " + n);
            }
            return n;
        }
    }
}
