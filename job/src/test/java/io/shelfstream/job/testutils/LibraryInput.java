package io.shelfstream.job.testutils;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.EventJson;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * The records of a generated library as the pipeline tests send them, with their {@link LibraryExpectation}.
 *
 * <p>As in {@code LibraryPipelineITCase}, checkouts of books that some event removes are left out (whether such a
 * checkout meets its book before or after the removal depends on how the topics interleave, so its effect is not
 * determined), and three checkouts of books no event ever adds are added (they must be dead-lettered).
 */
public final class LibraryInput {

    public final LibraryGenerator library;
    public final List<GeneratedRecord> books;
    public final List<GeneratedRecord> students;
    public final List<GeneratedRecord> checkouts;
    public final LibraryExpectation expected;

    private LibraryInput(GeneratorOptions options) {
        library = LibraryGenerator.create(options);
        books = list(library.records(EventTopic.BOOKS));
        students = list(library.records(EventTopic.STUDENTS));
        Set<String> removedBooks = LibraryExpectation.removedBooks(books);
        checkouts = new ArrayList<>();
        for (GeneratedRecord r : library.records(EventTopic.CHECKOUTS)) {
            if (r.isMalformed() || !removedBooks.contains(((CheckoutEvent) r.event()).bookId())) {
                checkouts.add(r);
            }
        }
        for (int i = 0; i < 3; i++) {
            CheckoutEvent e = new CheckoutEvent("e-nobook-" + i, CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED,
                    Instant.parse("2026-09-02T10:00:00Z"), "c-nobook-" + i, library.students().get(i).studentId(),
                    "b-never-added-" + i);
            checkouts.add(new GeneratedRecord(EventTopic.CHECKOUTS, e.key(), EventJson.toBytes(e), e, null));
        }
        expected = new LibraryExpectation(library, books, students, checkouts);
    }

    /** Generates the library and works out the expectation. */
    public static LibraryInput generate(GeneratorOptions options) {
        return new LibraryInput(options);
    }

    /** Every record of the three topics. */
    public List<GeneratedRecord> all() {
        List<GeneratedRecord> all = new ArrayList<>(books);
        all.addAll(students);
        all.addAll(checkouts);
        return all;
    }

    /** Loads the catalog and sends every record, books first. */
    public void loadAndSend(PipelineFixture fixture) throws Exception {
        fixture.loadCatalog(library);
        fixture.send(EventTopic.BOOKS, books);
        fixture.send(EventTopic.STUDENTS, students);
        fixture.send(EventTopic.CHECKOUTS, checkouts);
    }

    private static List<GeneratedRecord> list(Iterable<GeneratedRecord> records) {
        List<GeneratedRecord> out = new ArrayList<>();
        records.forEach(out::add);
        return out;
    }
}
