package io.shelfstream.schemas.generator;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

import io.shelfstream.schemas.CatalogBook;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.CheckoutEvent.CheckoutEventType;

/**
 * The checkout stream of a simulated school: checkouts during school hours on weekdays, book popularity
 * Zipf-distributed, class visits as bursts (a class of one grade checks out books of its reading level within a
 * few minutes), and most books returned one to three weeks later. Events come in time order.
 */
final class CheckoutStream implements Iterator<CheckoutEvent> {

    static final double ZIPF_EXPONENT = 1.0;
    /** Mean time between checkouts outside class visits. */
    static final double MEAN_GAP_SECONDS = 150;
    /** Mean time between checkouts during a class visit. */
    static final double MEAN_BURST_GAP_SECONDS = 12;
    /** Chance that a checkout outside a class visit starts one. */
    static final double CLASS_VISIT_CHANCE = 0.03;
    static final double RETURN_CHANCE = 0.85;

    private static final LocalTime OPENS = LocalTime.of(7, 30);
    private static final LocalTime CLOSES = LocalTime.of(16, 0);

    private final Rand r;
    private final int total;
    private final List<CatalogBook> books;
    private final List<CatalogStudent> students;
    private final int[] bookByRank;
    private final ZipfSampler globalPopularity;
    private final List<List<Integer>> levelBooksByRank = new ArrayList<>();
    private final List<ZipfSampler> levelPopularity = new ArrayList<>();
    private final List<List<Integer>> studentsByLevel = new ArrayList<>();
    private final int[] studentByActivity;
    private final ZipfSampler studentActivity;
    private final PriorityQueue<Pending> returns =
            new PriorityQueue<>(Comparator.comparing(Pending::at).thenComparingLong(Pending::sequence));
    private final ArrayDeque<Integer> classVisit = new ArrayDeque<>();
    private int classLevel;
    private Instant clock;
    private long checkouts;
    private int emitted;
    private CheckoutEvent nextCreated;

    private record Pending(Instant at, long sequence, CheckoutEvent created) {
    }

    CheckoutStream(Rand r, int total, Instant start, List<CatalogBook> books, List<CatalogStudent> students,
            int[] bookByRank) {
        this.r = r;
        this.total = total;
        this.books = books;
        this.students = students;
        this.bookByRank = bookByRank;
        this.clock = start;
        this.globalPopularity = total == 0 ? null : new ZipfSampler(books.size(), ZIPF_EXPONENT);
        for (int level = 0; level < Vocabulary.READING_LEVELS.size(); level++) {
            levelBooksByRank.add(new ArrayList<>());
            studentsByLevel.add(new ArrayList<>());
        }
        for (int book : bookByRank) {
            levelBooksByRank.get(Vocabulary.READING_LEVELS.indexOf(books.get(book).readingLevel())).add(book);
        }
        for (List<Integer> ranked : levelBooksByRank) {
            levelPopularity.add(ranked.isEmpty() ? null : new ZipfSampler(ranked.size(), ZIPF_EXPONENT));
        }
        for (int s = 0; s < students.size(); s++) {
            studentsByLevel.get(CatalogFactory.levelOfGrade(students.get(s).gradeLevel())).add(s);
        }
        // some students read far more than others
        studentByActivity = LibraryGenerator.permutation(r, students.size());
        studentActivity = students.isEmpty() ? null : new ZipfSampler(students.size(), 0.6);
    }

    @Override
    public boolean hasNext() {
        return emitted < total;
    }

    @Override
    public CheckoutEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (nextCreated == null) {
            nextCreated = created();
        }
        emitted++;
        Pending due = returns.peek();
        if (due != null && !due.at().isAfter(nextCreated.occurredAt())) {
            returns.poll();
            CheckoutEvent c = due.created();
            return new CheckoutEvent(r.uuid(), CheckoutEventType.CHECKOUT_RETURNED, due.at(), c.checkoutId(),
                    c.studentId(), c.bookId());
        }
        CheckoutEvent c = nextCreated;
        nextCreated = null;
        if (r.chance(RETURN_CHANCE)) {
            Instant back = schoolHours(c.occurredAt().plus(Duration.ofDays(r.between(3, 21)))
                    .plusSeconds(r.between(0, 6 * 3600)));
            returns.add(new Pending(back, checkouts, c));
        }
        return c;
    }

    private CheckoutEvent created() {
        int student;
        int book;
        if (!classVisit.isEmpty()) {
            clock = clock.plusMillis((long) (1000 * (2 + r.exponential(MEAN_BURST_GAP_SECONDS))));
            student = classVisit.poll();
            book = r.chance(0.8) ? bookOfLevel(classLevel) : bookByRank[globalPopularity.sample(r)];
        } else {
            clock = schoolHours(clock.plusMillis((long) (1000 * r.exponential(MEAN_GAP_SECONDS))));
            if (r.chance(CLASS_VISIT_CHANCE) && startClassVisit()) {
                return created();
            }
            student = studentByActivity[studentActivity.sample(r)];
            Integer grade = students.get(student).gradeLevel();
            book = r.chance(0.6) ? bookOfLevel(CatalogFactory.levelOfGrade(grade))
                    : bookByRank[globalPopularity.sample(r)];
        }
        checkouts++;
        return new CheckoutEvent(r.uuid(), CheckoutEventType.CHECKOUT_CREATED, clock,
                String.format(Locale.ROOT, "c-%08d", checkouts), students.get(student).studentId(),
                books.get(book).bookId());
    }

    /** A class of one grade comes in: each student checks out one or two books. */
    private boolean startClassVisit() {
        int level = r.weighted(Vocabulary.READING_LEVEL_WEIGHTS);
        List<Integer> pupils = studentsByLevel.get(level);
        if (pupils.isEmpty()) {
            return false;
        }
        classLevel = level;
        int size = Math.min(pupils.size(), r.between(12, 28));
        for (int i = 0; i < size; i++) {
            int pupil = pupils.get(r.nextInt(pupils.size()));
            classVisit.add(pupil);
            if (r.chance(0.3)) {
                classVisit.add(pupil);
            }
        }
        return true;
    }

    private int bookOfLevel(int level) {
        ZipfSampler sampler = levelPopularity.get(level);
        if (sampler == null) {
            return bookByRank[globalPopularity.sample(r)];
        }
        return levelBooksByRank.get(level).get(sampler.sample(r));
    }

    /** The same instant when the library is open, else the next opening time (weekdays 07:30-16:00 UTC). */
    static Instant schoolHours(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        if (!z.toLocalTime().isBefore(CLOSES)) {
            z = z.plusDays(1).with(OPENS);
        } else if (z.toLocalTime().isBefore(OPENS)) {
            z = z.with(OPENS);
        }
        while (z.getDayOfWeek() == DayOfWeek.SATURDAY || z.getDayOfWeek() == DayOfWeek.SUNDAY) {
            z = z.plusDays(1).with(OPENS);
        }
        return z.toInstant().truncatedTo(ChronoUnit.MILLIS);
    }
}
