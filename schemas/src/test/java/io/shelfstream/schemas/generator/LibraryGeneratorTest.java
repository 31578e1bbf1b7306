package io.shelfstream.schemas.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.CatalogBook;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EventParser;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.LibraryEvent;
import io.shelfstream.schemas.ParseResult;

class LibraryGeneratorTest {

    /** The reasons a parser gives. */
    private static final Set<DeadLetterReason> PARSER_REASONS = Set.copyOf(Arrays.stream(DeadLetterReason.values())
            .filter(DeadLetterReason::isParserReason).toList());

    private static final GeneratorOptions MEDIUM = GeneratorOptions.builder()
            .setBooks(2_000).setStudents(400).setCheckouts(20_000).setSeed(7).build();
    /** Shared: the catalog is generated once, and each iteration of a topic starts over identically. */
    private static final LibraryGenerator MEDIUM_LIBRARY = LibraryGenerator.create(MEDIUM);

    @Test
    void sameOptionsGiveTheSameCatalogAndRecordsByteForByte() throws Exception {
        GeneratorOptions o = GeneratorOptions.builder().setBooks(300).setStudents(80).setCheckouts(3_000)
                .setSeed(99).setMalformedFraction(0.05).setMaxRecordBytes(4096).build();
        LibraryGenerator a = LibraryGenerator.create(o);
        LibraryGenerator b = LibraryGenerator.create(o);
        assertThat(a.books()).isEqualTo(b.books());
        assertThat(a.students()).isEqualTo(b.students());
        for (EventTopic t : EventTopic.values()) {
            assertThat(digest(a.records(t))).isEqualTo(digest(b.records(t)));
            // an Iterable starts over identically
            assertThat(digest(a.records(t))).isEqualTo(digest(a.records(t)));
        }
        LibraryGenerator other = LibraryGenerator.create(GeneratorOptions.builder().setBooks(300).setStudents(80)
                .setCheckouts(3_000).setSeed(100).setMalformedFraction(0.05).setMaxRecordBytes(4096).build());
        assertThat(other.books()).isNotEqualTo(a.books());
        assertThat(digest(other.records(EventTopic.CHECKOUTS))).isNotEqualTo(digest(a.records(EventTopic.CHECKOUTS)));
    }

    @Test
    void validRecordsDoNotDependOnTheMalformedShare() {
        GeneratorOptions.Builder o = GeneratorOptions.builder().setBooks(200).setStudents(50).setCheckouts(2_000);
        LibraryGenerator clean = LibraryGenerator.create(o.setMalformedFraction(0).build());
        LibraryGenerator dirty = LibraryGenerator.create(o.setMalformedFraction(0.2).build());
        for (EventTopic t : EventTopic.values()) {
            assertThat(valid(dirty.records(t))).isEqualTo(valid(clean.records(t)));
        }
    }

    @Test
    void everyValidRecordParsesBackToItsEventWithTheContractsKey() {
        LibraryGenerator g = MEDIUM_LIBRARY;
        for (EventTopic t : EventTopic.values()) {
            EventParser<? extends LibraryEvent> parser = EventParser.forTopic(t, EventParser.DEFAULT_MAX_RECORD_BYTES);
            for (GeneratedRecord r : g.records(t)) {
                ParseResult<? extends LibraryEvent> p = parser.parse(r.value());
                assertThat(p.isOk()).as(p.toString()).isTrue();
                assertThat(p.value()).isEqualTo(r.event());
                assertThat(r.key()).isEqualTo(r.event().key());
                assertThat(r.topic()).isEqualTo(t);
            }
        }
    }

    @Test
    void everyMalformedRecordIsRejectedForItsReasonAndAllReasonsAppear() {
        int limit = 2048;
        LibraryGenerator g = LibraryGenerator.create(GeneratorOptions.builder().setBooks(500).setStudents(200)
                .setCheckouts(5_000).setSeed(3).setMalformedFraction(0.1).setMaxRecordBytes(limit).build());
        for (EventTopic t : EventTopic.values()) {
            EventParser<? extends LibraryEvent> parser = EventParser.forTopic(t, limit);
            Map<DeadLetterReason, Integer> seen = new EnumMap<>(DeadLetterReason.class);
            int total = 0;
            int malformed = 0;
            for (GeneratedRecord r : g.records(t)) {
                total++;
                ParseResult<? extends LibraryEvent> p = parser.parse(r.value());
                if (r.isMalformed()) {
                    malformed++;
                    assertThat(r.event()).isNull();
                    assertThat(p.reason()).as("%s: %s", r.expectedReason(), p).isEqualTo(r.expectedReason());
                    seen.merge(r.expectedReason(), 1, Integer::sum);
                } else {
                    assertThat(p.isOk()).isTrue();
                }
            }
            assertThat(seen.keySet()).as(t.toString()).containsExactlyInAnyOrderElementsOf(PARSER_REASONS);
            assertThat(seen.get(DeadLetterReason.TOO_LARGE)).isEqualTo(LibraryGenerator.MAX_TOO_LARGE_PER_TOPIC);
            assertThat((double) malformed / total).as("malformed share on %s", t).isBetween(0.07, 0.13);
        }
    }

    @Test
    void descriptionsHaveRealisticLengths() {
        List<CatalogBook> books = MEDIUM_LIBRARY.books();
        int missing = 0;
        int typical = 0;
        int veryLong = 0;
        for (CatalogBook b : books) {
            if (b.description() == null) {
                missing++;
                continue;
            }
            int words = b.description().trim().split("\\s+").length;
            typical += words >= 40 && words <= 150 ? 1 : 0;
            veryLong += words > 300 ? 1 : 0;
        }
        int n = books.size();
        assertThat(missing).as("missing").isBetween(n * 4 / 100, n * 13 / 100);
        assertThat(typical).as("40-150 words").isGreaterThanOrEqualTo(n * 75 / 100);
        assertThat(veryLong).as("over 300 words").isBetween(n * 2 / 100, n * 7 / 100);
    }

    @Test
    void catalogIsVaried() {
        LibraryGenerator g = MEDIUM_LIBRARY;
        List<CatalogBook> books = g.books();
        assertThat(books.stream().map(CatalogBook::title).distinct().count()).isGreaterThan(books.size() * 6 / 10);
        assertThat(books.stream().map(CatalogBook::author).distinct().count()).isGreaterThan(200);
        assertThat(books.stream().flatMap(b -> b.genres().stream()).distinct().count()).isGreaterThanOrEqualTo(18);
        assertThat(books.stream().map(CatalogBook::readingLevel).distinct()).containsExactlyInAnyOrder(
                "picture-book", "early-reader", "chapter-book", "middle-grade", "young-adult");
        assertThat(books.stream().filter(b -> b.genres().size() > 1).count()).isGreaterThan(books.size() / 3);
        assertThat(books.get(0).bookId()).isEqualTo("b-000001");
        List<CatalogStudent> students = g.students();
        assertThat(students.stream().map(CatalogStudent::gradeLevel).filter(java.util.Objects::nonNull).distinct()
                .count()).isEqualTo(12);
        assertThat(students.stream().map(CatalogStudent::interests).distinct().count())
                .isGreaterThan(students.size() / 2);
        assertThat(students.stream().filter(s -> !s.preferredGenres().isEmpty()).count())
                .isGreaterThan(students.size() * 9 / 10);
    }

    @Test
    void checkoutPopularityIsZipfLike() {
        LibraryGenerator g = MEDIUM_LIBRARY;
        Map<String, Integer> perBook = new HashMap<>();
        int created = 0;
        for (GeneratedRecord r : g.records(EventTopic.CHECKOUTS)) {
            CheckoutEvent c = (CheckoutEvent) r.event();
            if (c.eventType() == CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED) {
                perBook.merge(c.bookId(), 1, Integer::sum);
                created++;
            }
        }
        List<Integer> counts = new ArrayList<>(perBook.values());
        counts.sort(java.util.Comparator.reverseOrder());
        int top1Percent = counts.subList(0, MEDIUM.books() / 100).stream().mapToInt(Integer::intValue).sum();
        assertThat((double) top1Percent / created).as("share of the top 1% of books").isGreaterThan(0.25);
        // and a long tail: many books are checked out only rarely
        assertThat(perBook.size()).isGreaterThan(MEDIUM.books() / 3);
        // the most popular books are the ones the generator ranks first
        Set<String> topRanked = new HashSet<>(g.booksByPopularity().subList(0, 50));
        assertThat(perBook.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(10).filter(e -> topRanked.contains(e.getKey())).count()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void checkoutsComeInBurstsDuringSchoolHoursInTimeOrder() {
        LibraryGenerator g = MEDIUM_LIBRARY;
        Set<String> bookIds = new HashSet<>();
        g.books().forEach(b -> bookIds.add(b.bookId()));
        Set<String> studentIds = new HashSet<>();
        g.students().forEach(s -> studentIds.add(s.studentId()));
        Map<String, CheckoutEvent> open = new HashMap<>();
        TreeMap<Long, Integer> perTenMinutes = new TreeMap<>();
        Instant previous = Instant.MIN;
        int returned = 0;
        for (GeneratedRecord r : g.records(EventTopic.CHECKOUTS)) {
            CheckoutEvent c = (CheckoutEvent) r.event();
            assertThat(c.occurredAt()).isAfterOrEqualTo(previous);
            previous = c.occurredAt();
            assertThat(bookIds).contains(c.bookId());
            assertThat(studentIds).contains(c.studentId());
            int hour = c.occurredAt().atZone(java.time.ZoneOffset.UTC).getHour();
            assertThat(hour).isBetween(7, 16);
            if (c.eventType() == CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED) {
                assertThat(open.put(c.checkoutId(), c)).isNull();
                perTenMinutes.merge(c.occurredAt().getEpochSecond() / 600, 1, Integer::sum);
            } else {
                CheckoutEvent out = open.remove(c.checkoutId());
                assertThat(out).as("returned before created: %s", c.checkoutId()).isNotNull();
                assertThat(c.bookId()).isEqualTo(out.bookId());
                assertThat(c.studentId()).isEqualTo(out.studentId());
                assertThat(Duration.between(out.occurredAt(), c.occurredAt()))
                        .isGreaterThanOrEqualTo(Duration.ofDays(3));
                returned++;
            }
        }
        assertThat(returned).isGreaterThan(MEDIUM.checkouts() / 4);
        List<Integer> windows = new ArrayList<>(perTenMinutes.values());
        windows.sort(null);
        int median = windows.get(windows.size() / 2);
        int max = windows.get(windows.size() - 1);
        assertThat(max).as("busiest 10 minutes vs the median").isGreaterThanOrEqualTo(5 * median);
    }

    @Test
    void topicsCarryEveryEventTypeAndBatchEvents() {
        LibraryGenerator g = MEDIUM_LIBRARY;
        for (EventTopic t : EventTopic.values()) {
            Set<String> types = new HashSet<>();
            g.records(t).forEach(r -> types.add(r.event().eventType().wireName()));
            assertThat(types).containsExactlyInAnyOrderElementsOf(t.eventTypes());
        }
        Set<String> added = new HashSet<>();
        int batches = 0;
        for (GeneratedRecord r : g.records(EventTopic.BOOKS)) {
            BookEvent b = (BookEvent) r.event();
            if (b.eventType() == BookEvent.BookEventType.BOOK_ADDED) {
                added.addAll(b.bookIds());
                batches += b.bookIds().size() > 1 ? 1 : 0;
            }
        }
        assertThat(added).hasSize(MEDIUM.books());
        assertThat(batches).isGreaterThan(10);
        long studentsAdded = 0;
        for (GeneratedRecord r : g.records(EventTopic.STUDENTS)) {
            studentsAdded += r.event().eventType().wireName().equals("student_added") ? 1 : 0;
        }
        assertThat(studentsAdded).isEqualTo(MEDIUM.students());
        int checkouts = 0;
        for (GeneratedRecord ignored : g.records(EventTopic.CHECKOUTS)) {
            checkouts++;
        }
        assertThat(checkouts).isEqualTo(MEDIUM.checkouts());
    }

    @Test
    void optionsAreValidatedOnEntry() {
        assertThatThrownBy(() -> GeneratorOptions.builder().setBooks(-1)).hasMessageContaining("books");
        assertThatThrownBy(() -> GeneratorOptions.builder().setMalformedFraction(1.0)).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> GeneratorOptions.builder().setMalformedFraction(Double.NaN))
                .hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> GeneratorOptions.builder().setBooks(0).setCheckouts(5).build())
                .hasMessageContaining("at least one book");
        assertThat(LibraryGenerator.create(GeneratorOptions.builder().setBooks(0).setStudents(0).setCheckouts(0)
                .build()).records(EventTopic.CHECKOUTS).iterator().hasNext()).isFalse();
    }

    private static List<String> valid(Iterable<GeneratedRecord> records) {
        List<String> out = new ArrayList<>();
        for (GeneratedRecord r : records) {
            if (!r.isMalformed()) {
                out.add(r.key() + " " + new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String digest(Iterable<GeneratedRecord> records) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        int n = 0;
        for (GeneratedRecord r : records) {
            md.update(r.keyBytes());
            md.update(r.value());
            n++;
        }
        return n + ":" + java.util.HexFormat.of().formatHex(md.digest());
    }
}
