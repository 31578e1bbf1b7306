package io.shelfstream.schemas.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.BookEvent.BookEventType;
import io.shelfstream.schemas.CatalogBook;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EventJson;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.LibraryEvent;
import io.shelfstream.schemas.StudentEvent;
import io.shelfstream.schemas.StudentEvent.StudentEventType;

/**
 * A synthetic school library: a catalog of books and students, and the events of the three topics, generated
 * from a seed. Pure: no I/O, no clock, no global state; the same {@link GeneratorOptions} give the same catalog and
 * the same records byte for byte, on any JVM.
 *
 * <ul>
 *   <li>Books: varied titles, authors (some prolific), one to three genres, five reading levels; descriptions of
 *       40-150 words for most books, none for about 8%, short ones for about 6% and very long ones (300-900
 *       words) for about 4%.</li>
 *   <li>Students: grades 1-12, one to four interests, preferred genres that follow the interests.</li>
 *   <li>{@code books}: {@code book_added} for every book in the four weeks before the start, about 8% of these
 *       events batches of 2-20 books ({@code book_ids}, about half of all books), then {@code book_updated} for
 *       about 5% of the books and {@code book_removed} for about 1%.</li>
 *   <li>{@code students}: a {@code student_added} per student, {@code student_updated} for about 10%,
 *       {@code student_removed} for about 1%.</li>
 *   <li>{@code checkouts}: {@code checkout_created} on weekdays in school hours, book popularity Zipf-like
 *       (exponent 1), class visits as bursts, about 85% returned ({@code checkout_returned}) 3-21 days later.</li>
 *   <li>Malformed records: a {@link GeneratorOptions#malformedFraction()} share of each topic's records breaks the
 *       contract, cycling through every reason a parser gives (at most {@value #MAX_TOO_LARGE_PER_TOPIC}
 *       {@code too_large} records per topic, as they are large). The valid records do not depend on the share:
 *       malformed ones are drawn from a random stream of their own.</li>
 * </ul>
 *
 * <pre>{@code
 * LibraryGenerator g = LibraryGenerator.create(GeneratorOptions.builder().setBooks(500).build());
 * for (GeneratedRecord r : g.records(EventTopic.CHECKOUTS)) { producer.send(...); }
 * }</pre>
 */
public final class LibraryGenerator {

    /** Most {@code too_large} records per topic and run. */
    public static final int MAX_TOO_LARGE_PER_TOPIC = 2;

    private static final long PART_BOOKS = 1;
    private static final long PART_STUDENTS = 2;
    private static final long PART_POPULARITY = 3;
    private static final long PART_EVENTS = 10;
    private static final long PART_MALFORMED = 20;

    private final GeneratorOptions options;
    private List<CatalogBook> books;
    private List<CatalogStudent> students;
    private int[] bookByRank;

    private LibraryGenerator(GeneratorOptions options) {
        this.options = options;
    }

    /** A generator for the given options. */
    public static LibraryGenerator create(GeneratorOptions options) {
        return new LibraryGenerator(options);
    }

    /** What this generator generates. */
    public GeneratorOptions options() {
        return options;
    }

    /** The catalog's books, ids {@code b-000001} upwards. */
    public synchronized List<CatalogBook> books() {
        if (books == null) {
            books = List.copyOf(CatalogFactory.books(new Rand(options.seed(), PART_BOOKS), options.books()));
        }
        return books;
    }

    /** The catalog's students, ids {@code s-000001} upwards. */
    public synchronized List<CatalogStudent> students() {
        if (students == null) {
            students = List.copyOf(CatalogFactory.students(new Rand(options.seed(), PART_STUDENTS),
                    options.students()));
        }
        return students;
    }

    /** Book indexes from the most to the least popular. */
    synchronized int[] bookByRank() {
        if (bookByRank == null) {
            bookByRank = permutation(new Rand(options.seed(), PART_POPULARITY), options.books());
        }
        return bookByRank;
    }

    /** The ids of the books from the most to the least popular, as the checkout stream draws them. */
    public List<String> booksByPopularity() {
        List<String> ids = new ArrayList<>();
        for (int i : bookByRank()) {
            ids.add(books().get(i).bookId());
        }
        return ids;
    }

    /**
     * The records of one topic, in order; each iteration generates them afresh and identically. Records are made
     * as they are read, so a large stream needs no memory.
     */
    public Iterable<GeneratedRecord> records(EventTopic topic) {
        return () -> {
            Rand events = new Rand(options.seed(), PART_EVENTS + topic.ordinal());
            Iterator<? extends LibraryEvent> valid = switch (topic) {
                case BOOKS -> bookEvents(events).iterator();
                case STUDENTS -> studentEvents(events).iterator();
                case CHECKOUTS -> new CheckoutStream(events, options.checkouts(), options.start(), books(),
                        students(), bookByRank());
            };
            return new WithMalformed(valid, new Rand(options.seed(), PART_MALFORMED + topic.ordinal()),
                    options.malformedFraction(), options.maxRecordBytes());
        };
    }

    private List<BookEvent> bookEvents(Rand r) {
        List<CatalogBook> all = books();
        int n = all.size();
        List<BookEvent> events = new ArrayList<>();
        Set<Integer> addedAlone = new HashSet<>();
        Instant t = options.start().minus(Duration.ofDays(28));
        double gap = 28.0 * 24 * 3600 / Math.max(1, n);
        int i = 0;
        while (i < n) {
            t = t.plusMillis(1 + (long) (1000 * r.exponential(gap)));
            if (n - i >= 2 && r.chance(0.08)) {
                int size = r.between(2, Math.min(20, n - i));
                List<String> ids = new ArrayList<>();
                for (int k = 0; k < size; k++) {
                    ids.add(all.get(i + k).bookId());
                }
                events.add(new BookEvent(r.uuid(), BookEventType.BOOK_ADDED, t, ids));
                i += size;
            } else {
                addedAlone.add(i);
                events.add(BookEvent.of(r.uuid(), BookEventType.BOOK_ADDED, t, all.get(i).bookId()));
                i++;
            }
        }
        List<BookEvent> updates = new ArrayList<>();
        for (int k = 0; k < Math.round(n * 0.05); k++) {
            Instant at = options.start().plusMillis((long) (r.nextDouble() * Duration.ofDays(30).toMillis()));
            updates.add(BookEvent.of(r.uuid(), BookEventType.BOOK_UPDATED, at, all.get(r.nextInt(n)).bookId()));
        }
        updates.sort(Comparator.comparing(BookEvent::occurredAt));
        events.addAll(updates);
        // removals name books added on their own (so add and remove share a key, a partition and an order),
        // taken from the less popular half
        int[] ranked = bookByRank();
        Instant end = options.start().plus(Duration.ofDays(31));
        int removals = (int) Math.round(n * 0.01);
        Set<Integer> removed = new HashSet<>();
        for (int attempt = 0; removed.size() < removals && attempt < 20 * removals; attempt++) {
            int book = ranked[n / 2 + r.nextInt(n - n / 2)];
            if (addedAlone.contains(book) && removed.add(book)) {
                end = end.plusSeconds(r.between(30, 3600));
                events.add(BookEvent.of(r.uuid(), BookEventType.BOOK_REMOVED, end, all.get(book).bookId()));
            }
        }
        return events;
    }

    private List<StudentEvent> studentEvents(Rand r) {
        List<CatalogStudent> all = students();
        int n = all.size();
        List<StudentEvent> events = new ArrayList<>();
        Instant t = options.start().minus(Duration.ofDays(14));
        double gap = 14.0 * 24 * 3600 / Math.max(1, n);
        for (CatalogStudent s : all) {
            t = t.plusMillis(1 + (long) (1000 * r.exponential(gap)));
            events.add(new StudentEvent(r.uuid(), StudentEventType.STUDENT_ADDED, t, s.studentId()));
        }
        List<StudentEvent> updates = new ArrayList<>();
        for (int k = 0; k < Math.round(n * 0.10); k++) {
            Instant at = options.start().plusMillis((long) (r.nextDouble() * Duration.ofDays(30).toMillis()));
            updates.add(new StudentEvent(r.uuid(), StudentEventType.STUDENT_UPDATED, at.truncatedTo(ChronoUnit.MILLIS),
                    all.get(r.nextInt(n)).studentId()));
        }
        updates.sort(Comparator.comparing(StudentEvent::occurredAt));
        events.addAll(updates);
        Instant end = options.start().plus(Duration.ofDays(31));
        Set<Integer> removed = new HashSet<>();
        int removals = (int) Math.round(n * 0.01);
        while (removed.size() < removals) {
            int s = r.nextInt(n);
            if (removed.add(s)) {
                end = end.plusSeconds(r.between(30, 3600));
                events.add(new StudentEvent(r.uuid(), StudentEventType.STUDENT_REMOVED, end, all.get(s).studentId()));
            }
        }
        return events;
    }

    /** A random permutation of {@code 0..n-1} (Fisher-Yates). */
    static int[] permutation(Rand r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    /** Puts malformed records between valid ones: before each valid record, another malformed one with chance F. */
    private static final class WithMalformed implements Iterator<GeneratedRecord> {

        private final Iterator<? extends LibraryEvent> valid;
        private final Rand r;
        private final double fraction;
        private final int maxRecordBytes;
        private LibraryEvent upcoming;
        private int reasonIndex;
        private int tooLarge;

        WithMalformed(Iterator<? extends LibraryEvent> valid, Rand r, double fraction, int maxRecordBytes) {
            this.valid = valid;
            this.r = r;
            this.fraction = fraction;
            this.maxRecordBytes = maxRecordBytes;
        }

        @Override
        public boolean hasNext() {
            return upcoming != null || valid.hasNext();
        }

        @Override
        public GeneratedRecord next() {
            if (upcoming == null) {
                if (!valid.hasNext()) {
                    throw new NoSuchElementException();
                }
                upcoming = valid.next();
            }
            if (fraction > 0 && r.chance(fraction)) {
                return malformed(upcoming);
            }
            LibraryEvent e = upcoming;
            upcoming = null;
            return new GeneratedRecord(e.topic(), e.key(), EventJson.toBytes(e), e, null);
        }

        private GeneratedRecord malformed(LibraryEvent like) {
            DeadLetterReason reason = MalformedRecords.REASONS.get(reasonIndex++ % MalformedRecords.REASONS.size());
            if (reason == DeadLetterReason.TOO_LARGE && ++tooLarge > MAX_TOO_LARGE_PER_TOPIC) {
                reason = MalformedRecords.REASONS.get(reasonIndex++ % MalformedRecords.REASONS.size());
            }
            LibraryEvent template = withEventId(like, r.uuid());
            return new GeneratedRecord(like.topic(), like.key(),
                    MalformedRecords.make(reason, template, r, maxRecordBytes), null, reason);
        }

        private static LibraryEvent withEventId(LibraryEvent e, String eventId) {
            if (e instanceof BookEvent b) {
                return new BookEvent(eventId, b.eventType(), b.occurredAt(), b.bookIds());
            } else if (e instanceof StudentEvent s) {
                return new StudentEvent(eventId, s.eventType(), s.occurredAt(), s.studentId());
            }
            io.shelfstream.schemas.CheckoutEvent c = (io.shelfstream.schemas.CheckoutEvent) e;
            return new io.shelfstream.schemas.CheckoutEvent(eventId, c.eventType(), c.occurredAt(), c.checkoutId(),
                    c.studentId(), c.bookId());
        }
    }
}
