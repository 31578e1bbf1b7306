package io.shelfstream.job.testutils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.CatalogBook;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.StudentEvent;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * What the pipeline must end with for a generated library, worked out from the events sent and the catalog alone,
 * without any of the job's code: which books and students have points, each book's checkout count, each
 * student's checkouts, which checkouts are dead-lettered for want of a book vector, and how many texts the job
 * must embed (once per entity, again only after a removal: the catalog holds its final rows before the job
 * starts, so updates do not change any text).
 */
public final class LibraryExpectation {

    /** One {@code checkout_created} of a student. */
    public record Checkout(String bookId, long occurredAtMillis) {
    }

    public final Set<String> presentBooks = new HashSet<>();
    public final Set<String> presentStudents = new HashSet<>();
    public final Map<String, Long> bookCheckouts = new HashMap<>();
    public final Map<String, List<Checkout>> studentCheckouts = new LinkedHashMap<>();
    public final Set<String> checkoutsWithoutBook = new HashSet<>();
    public final Map<String, CatalogStudent> studentRows = new HashMap<>();
    public long textsEmbedded;
    public long checkoutEvents;
    public long removals;

    /**
     * Works out the expectation.
     *
     * @param library   the catalog (loaded before the job starts)
     * @param books     the {@code books} records sent, in order
     * @param students  the {@code students} records sent, in order
     * @param checkouts the {@code checkouts} records sent, in order
     */
    public LibraryExpectation(LibraryGenerator library, List<GeneratedRecord> books, List<GeneratedRecord> students,
            List<GeneratedRecord> checkouts) {
        Set<String> bookRows = new HashSet<>();
        for (CatalogBook b : library.books()) {
            bookRows.add(b.bookId());
        }
        for (CatalogStudent s : library.students()) {
            studentRows.put(s.studentId(), s);
        }
        Map<String, Boolean> bookEmbedded = new HashMap<>();
        for (GeneratedRecord r : books) {
            if (r.isMalformed()) {
                continue;
            }
            BookEvent e = (BookEvent) r.event();
            boolean removed = e.eventType() == BookEvent.BookEventType.BOOK_REMOVED;
            for (String id : e.bookIds()) {
                removals += removed ? 1 : 0;
                textsEmbedded += embeds(bookEmbedded, id, removed, bookRows.contains(id));
                if (removed || !bookRows.contains(id)) {
                    presentBooks.remove(id);
                } else {
                    presentBooks.add(id);
                }
            }
        }
        Map<String, Boolean> studentEmbedded = new HashMap<>();
        for (GeneratedRecord r : students) {
            if (r.isMalformed()) {
                continue;
            }
            StudentEvent e = (StudentEvent) r.event();
            boolean removed = e.eventType() == StudentEvent.StudentEventType.STUDENT_REMOVED;
            String id = e.studentId();
            removals += removed ? 1 : 0;
            textsEmbedded += embeds(studentEmbedded, id, removed, studentRows.containsKey(id));
            if (removed || !studentRows.containsKey(id)) {
                presentStudents.remove(id);
            } else {
                presentStudents.add(id);
            }
        }
        for (GeneratedRecord r : checkouts) {
            if (r.isMalformed()) {
                continue;
            }
            checkoutEvents++;
            CheckoutEvent e = (CheckoutEvent) r.event();
            if (e.eventType() != CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED) {
                continue;
            }
            if (!presentBooks.contains(e.bookId())) {
                checkoutsWithoutBook.add(e.checkoutId());
                continue;
            }
            bookCheckouts.merge(e.bookId(), 1L, Long::sum);
            studentCheckouts.computeIfAbsent(e.studentId(), k -> new ArrayList<>())
                    .add(new Checkout(e.bookId(), e.occurredAt().toEpochMilli()));
        }
    }

    /** 1 when this event embeds a text: the entity has a catalog row and no vector since its last removal. */
    private static long embeds(Map<String, Boolean> embedded, String id, boolean removed, boolean inCatalog) {
        if (removed) {
            embedded.put(id, false);
            return 0;
        }
        if (!inCatalog || embedded.getOrDefault(id, false)) {
            return 0;
        }
        embedded.put(id, true);
        return 1;
    }

    /** The ids of the books some event removes. */
    public static Set<String> removedBooks(List<GeneratedRecord> books) {
        Set<String> removed = new HashSet<>();
        for (GeneratedRecord r : books) {
            if (!r.isMalformed() && ((BookEvent) r.event()).eventType() == BookEvent.BookEventType.BOOK_REMOVED) {
                removed.addAll(((BookEvent) r.event()).bookIds());
            }
        }
        return removed;
    }
}
