package io.shelfstream.job.migration;

/**
 * One backfill subtask's end: the catalog rows it read for one entity type ({@code books}, {@code students}). The
 * alias switcher knows a backfill has ended when it has heard from every subtask of it. A Flink POJO.
 */
public final class BackfillEnd {

    /** {@code books} or {@code students}. */
    public String entities;
    /** The backfill subtask that ended. */
    public int subtask;
    /** How many subtasks the backfill of {@link #entities} runs with. */
    public int parallelism;
    /** Rows that subtask read. */
    public long rows;

    /** For Flink's POJO serializer. */
    public BackfillEnd() {
    }

    /** An end marker. */
    public BackfillEnd(String entities, int subtask, int parallelism, long rows) {
        this.entities = entities;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.rows = rows;
    }

    /** The marker's identity in the switcher's state: entities, subtask and parallelism. */
    String key() {
        return entities + "/" + subtask + "/" + parallelism;
    }

    @Override
    public String toString() {
        return "BackfillEnd{" + entities + ", subtask " + subtask + "/" + parallelism + ", " + rows + " rows}";
    }
}
