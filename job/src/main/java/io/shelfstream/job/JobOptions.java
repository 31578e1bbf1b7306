package io.shelfstream.job;

import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.shelfstream.job.taste.TasteSettings;

/**
 * The job's settings, read from {@code --key value} arguments (the same keys can be given to {@code flink run}).
 *
 * <p>Every option has a default that works with the local demo services; see README "Configuration" for the
 * list. Unknown keys fail fast, so a typo never silently falls back to a default.
 */
public final class JobOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The options and their defaults, in documentation order. */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kafka.bootstrap-servers", "localhost:9092");
        d.put("kafka.group-id", "shelfstream");
        d.put("topic.books", "books");
        d.put("topic.students", "students");
        d.put("topic.checkouts", "checkouts");
        d.put("topic.dead-letter", "shelfstream-dead-letter");
        d.put("record.max-bytes", String.valueOf(1024 * 1024));
        d.put("catalog.jdbc-url", "jdbc:postgresql://localhost:5432/catalog");
        d.put("catalog.user", "postgres");
        d.put("catalog.password", "postgres");
        d.put("catalog.pool-size", "4");
        d.put("catalog.timeout", "30s");
        d.put("catalog.connect-timeout", "5s");
        d.put("catalog.capacity", "1000");
        d.put("catalog.batch-size", "200");
        d.put("catalog.max-batch-delay", "10ms");
        d.put("catalog.retries", "5");
        d.put("catalog.retry-delay", "100ms");
        d.put("catalog.retry-max-delay", "2s");
        d.put("catalog.cache.max-rows", "0");
        d.put("catalog.cache.ttl", "10s");
        d.put("catalog.books.table", "books");
        d.put("catalog.books.id-column", "book_id");
        d.put("catalog.books.columns", "title=title,author=author,description=description,genres=genres,"
                + "reading_level=reading_level");
        d.put("catalog.students.table", "students");
        d.put("catalog.students.id-column", "student_id");
        d.put("catalog.students.columns", "grade_level=grade_level,interests=interests,"
                + "preferred_genres=preferred_genres");
        d.put("catalog.version-column", "updated_at");
        d.put("backfill.entities", "");
        d.put("backfill.splits", "32");
        d.put("ledger.enabled", "false");
        d.put("ledger.jdbc-url", "");
        d.put("ledger.user", "");
        d.put("ledger.password", "");
        d.put("ledger.table", "embedding_ledger");
        d.put("qdrant.url", "http://localhost:6334");
        d.put("qdrant.api-key", "");
        d.put("qdrant.collection.books", "books");
        d.put("qdrant.collection.students", "students");
        d.put("qdrant.versioned", "false");
        d.put("embedding.device", "auto");
        d.put("embedding.quantized", "false");
        d.put("embedding.threads", "0");
        d.put("embedding.batch.max-records", "256");
        d.put("embedding.batch.max-tokens", "32768");
        d.put("embedding.batch.linger", "200ms");
        d.put("taste.profile-weight", "0.5");
        d.put("taste.half-life", "30d");
        d.put("taste.recent-books", "20");
        d.put("checkouts.max-wait", "10min");
        d.put("state.idle-ttl", "30d");
        d.put("checkpoint.interval", "10s");
        d.put("parallelism", "1");
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    private final Map<String, String> values;

    private JobOptions(Map<String, String> values) {
        this.values = values;
    }

    /** The defaults. */
    public static JobOptions defaults() {
        return new JobOptions(new LinkedHashMap<>(DEFAULTS));
    }

    /** Parses {@code --key value} pairs over the defaults. */
    public static JobOptions fromArgs(String... args) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("Expected --key value, got '" + a + "'");
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("Option --" + key + " needs a value");
            }
            v.put(checkKnown(key), value);
        }
        JobOptions o = new JobOptions(v);
        o.validate();
        return o;
    }

    /** A copy with one option changed. */
    public JobOptions with(String key, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        v.put(checkKnown(key), value);
        JobOptions o = new JobOptions(v);
        o.validate();
        return o;
    }

    private static String checkKnown(String key) {
        if (!DEFAULTS.containsKey(key)) {
            Set<String> known = new TreeSet<>(DEFAULTS.keySet());
            throw new IllegalArgumentException("Unknown option --" + key + "; known options: " + known);
        }
        return key;
    }

    private void validate() {
        positiveInt("record.max-bytes");
        positiveInt("catalog.pool-size");
        positiveInt("parallelism");
        duration("catalog.timeout");
        duration("catalog.connect-timeout");
        positiveInt("catalog.capacity");
        positiveInt("catalog.batch-size");
        duration("catalog.max-batch-delay");
        nonNegativeInt("catalog.retries");
        duration("catalog.retry-delay");
        duration("catalog.retry-max-delay");
        nonNegativeInt("catalog.cache.max-rows");
        duration("catalog.cache.ttl");
        duration("checkpoint.interval");
        bool("embedding.quantized");
        nonNegativeInt("embedding.threads");
        positiveInt("embedding.batch.max-records");
        positiveInt("embedding.batch.max-tokens");
        duration("embedding.batch.linger");
        tasteSettings();
        backfillEntities();
        positiveInt("backfill.splits");
        bool("ledger.enabled");
        bool("qdrant.versioned");
    }

    /** The entities {@code backfill.entities} names: a subset of {@code books} and {@code students}. */
    public Set<String> backfillEntities() {
        Set<String> entities = new TreeSet<>();
        for (String e : get("backfill.entities").split(",")) {
            String name = e.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!name.equals("books") && !name.equals("students")) {
                throw new IllegalArgumentException("--backfill.entities must list books and/or students "
                        + "(comma-separated), got '" + get("backfill.entities") + "'");
            }
            entities.add(name);
        }
        return entities;
    }

    /** The taste-vector settings ({@code taste.*}, {@code checkouts.max-wait}, {@code state.idle-ttl}). */
    public TasteSettings tasteSettings() {
        String weight = get("taste.profile-weight").trim();
        double a;
        try {
            a = Double.parseDouble(weight);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--taste.profile-weight must be a number between 0 and 1, got '"
                    + weight + "'");
        }
        return new TasteSettings(a, duration("taste.half-life"),
                nonNegativeInt("taste.recent-books"), duration("checkouts.max-wait"), duration("state.idle-ttl"));
    }

    /** The raw value of an option. */
    public String get(String key) {
        return values.get(checkKnown(key));
    }

    /** An option as a positive integer. */
    public int positiveInt(String key) {
        String v = get(key);
        try {
            int i = Integer.parseInt(v.trim());
            if (i <= 0) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a positive integer, got '" + v + "'");
        }
    }

    /** An option as an integer of 0 or more. */
    public int nonNegativeInt(String key) {
        String v = get(key);
        try {
            int i = Integer.parseInt(v.trim());
            if (i < 0) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be an integer of 0 or more, got '" + v + "'");
        }
    }

    /** An option as a boolean: {@code true} or {@code false}. */
    public boolean bool(String key) {
        String v = get(key).trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("--" + key + " must be true or false, got '" + v + "'");
    }

    /** An option as a duration: {@code 500ms}, {@code 10s}, {@code 2min}, {@code 6h}, {@code 30d}. */
    public Duration duration(String key) {
        String v = get(key).trim();
        try {
            if (v.endsWith("d")) {
                return Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("min")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 3)));
            } else if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--" + key + " must be a duration like 500ms, 10s, 2min, 6h or 30d, got '" + v + "'");
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(values);
        shown.computeIfPresent("catalog.password", (k, v) -> v.isEmpty() ? v : "***");
        shown.computeIfPresent("ledger.password", (k, v) -> v.isEmpty() ? v : "***");
        shown.computeIfPresent("qdrant.api-key", (k, v) -> v.isEmpty() ? v : "***");
        return shown.toString();
    }
}
