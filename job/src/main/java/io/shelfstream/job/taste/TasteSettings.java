package io.shelfstream.job.taste;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a student's taste vector is computed and how long checkout state is kept (DESIGN.md section 2).
 *
 * <pre>
 * taste = normalize(profileWeight * profile + (1 - profileWeight) * mean)
 * mean  = sum_i w_i * book_i / sum_i w_i,   w_i = 2^(-(latest - t_i) / halfLife)
 * </pre>
 * where {@code book_i} is the vector of the i-th checked-out book when the checkout was joined, {@code t_i} the
 * checkout's {@code occurred_at} and {@code latest} the newest {@code occurred_at} among the student's checkouts.
 * The blend is applied when a point is written, from the stored profile vector and running sum, so a changed
 * {@code profileWeight} takes effect for every student on the next write, also after a savepoint restore.
 *
 * @param profileWeight   weight of the profile vector in [0, 1]; 1 ignores checkouts, 0 ignores the profile
 * @param halfLife        age (by {@code occurred_at}) at which a checkout counts half as much as the newest one
 * @param recentBooks     how many distinct recently checked-out book ids the student's payload lists
 * @param checkoutMaxWait how long a checkout waits for its book's vector before it is dead-lettered as
 *                        {@code book_vector_missing}
 * @param idleStateTtl    how long state without a catalog entity is kept: checkouts of a student the catalog has
 *                        not (yet) sent, and the marker of a removed book
 */
public record TasteSettings(double profileWeight, Duration halfLife, int recentBooks, Duration checkoutMaxWait,
        Duration idleStateTtl) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Defaults: half profile, half checkouts; 30-day half-life; 20 recent books; 10 min wait; 30-day idle TTL. */
    public static final TasteSettings DEFAULTS = new TasteSettings(0.5, Duration.ofDays(30), 20,
            Duration.ofMinutes(10), Duration.ofDays(30));

    /** Checks the ranges; every message names the job option to fix. */
    public TasteSettings {
        if (!(profileWeight >= 0.0 && profileWeight <= 1.0)) {
            throw new IllegalArgumentException("--taste.profile-weight must be between 0 and 1, got " + profileWeight);
        }
        requirePositive(halfLife, "taste.half-life");
        if (recentBooks < 0) {
            throw new IllegalArgumentException("--taste.recent-books must be 0 or more, got " + recentBooks);
        }
        requirePositive(checkoutMaxWait, "checkouts.max-wait");
        requirePositive(idleStateTtl, "state.idle-ttl");
    }

    private static void requirePositive(Duration d, String option) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("--" + option + " must be a positive duration, got " + d);
        }
    }
}
