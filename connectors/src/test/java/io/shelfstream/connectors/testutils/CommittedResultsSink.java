package io.shelfstream.connectors.testutils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A sink for exactly-once tests: strings become visible (in a JVM-wide list under a name) only when the checkpoint
 * that covers them completes, each checkpointed chunk once however often it is committed again after a failure. A
 * record appears in {@link #committed} once per time the job's result really contains it.
 */
public final class CommittedResultsSink implements Sink<String>, SupportsCommitter<CommittedResultsSink.Chunk> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, List<String>> COMMITTED = new ConcurrentHashMap<>();
    private static final Map<String, Set<String>> CHUNKS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> WRITERS = new ConcurrentHashMap<>();

    private final String name;

    private CommittedResultsSink(String name) {
        this.name = name;
    }

    /** A sink collecting under a fresh name. */
    public static CommittedResultsSink create(String name) {
        COMMITTED.put(name, new CopyOnWriteArrayList<>());
        CHUNKS.put(name, ConcurrentHashMap.newKeySet());
        WRITERS.put(name, new AtomicInteger());
        return new CommittedResultsSink(name);
    }

    /** What completed checkpoints committed so far, in commit order. */
    public List<String> committed() {
        return new ArrayList<>(COMMITTED.get(name));
    }

    /** How many writers were created: more than the parallelism means the job restarted. */
    public int writersCreated() {
        return WRITERS.get(name).get();
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        WRITERS.get(name).incrementAndGet();
        return new Writer();
    }

    @Override
    public Committer<Chunk> createCommitter(CommitterInitContext context) {
        String sinkName = name;
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<Chunk>> requests) {
                for (CommitRequest<Chunk> request : requests) {
                    Chunk chunk = request.getCommittable();
                    if (CHUNKS.get(sinkName).add(chunk.id)) {
                        COMMITTED.get(sinkName).addAll(chunk.items);
                    }
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<Chunk> getCommittableSerializer() {
        return new ChunkSerializer();
    }

    /** The records of one writer between two checkpoints. */
    public static final class Chunk implements Serializable {
        private static final long serialVersionUID = 1L;
        final String id;
        final ArrayList<String> items;

        Chunk(String id, ArrayList<String> items) {
            this.id = id;
            this.items = items;
        }
    }

    private static final class Writer implements CommittingSinkWriter<String, Chunk> {
        private ArrayList<String> buffer = new ArrayList<>();

        @Override
        public void write(String element, Context context) {
            buffer.add(element);
        }

        @Override
        public void flush(boolean endOfInput) {
        }

        @Override
        public Collection<Chunk> prepareCommit() {
            if (buffer.isEmpty()) {
                return List.of();
            }
            Chunk chunk = new Chunk(UUID.randomUUID().toString(), buffer);
            buffer = new ArrayList<>();
            return List.of(chunk);
        }

        @Override
        public void close() {
        }
    }

    private static final class ChunkSerializer implements SimpleVersionedSerializer<Chunk> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Chunk chunk) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(chunk);
            }
            return bytes.toByteArray();
        }

        @Override
        public Chunk deserialize(int version, byte[] serialized) throws IOException {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialized))) {
                return (Chunk) in.readObject();
            } catch (ClassNotFoundException e) {
                throw new IOException(e);
            }
        }
    }
}
