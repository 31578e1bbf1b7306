package io.shelfstream.connectors.qdrant;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.qdrant.internal.QdrantCommittable;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.schemas.PointIds;

/**
 * Flink's own sink test suite (basic write, restart from a savepoint, scale up, scale down, metrics) against the
 * Qdrant sink, in both semantics, with the local Qdrant-compatible server as the external system. Each test record
 * (a string) becomes one point whose payload holds it; the reader scrolls the collection.
 */
class QdrantSinkTestSuiteITCase extends SinkTestSuiteBase<String> {

    @TestEnv
    MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestContext
    ExternalContextFactory<QdrantSinkContext> contexts = testName -> new QdrantSinkContext(LocalServices.qdrant());

    @TestSemantics
    CheckpointingMode[] semantics = {CheckpointingMode.EXACTLY_ONCE, CheckpointingMode.AT_LEAST_ONCE};

    /** A fresh collection per test; the suite's semantic picks the sink's delivery guarantee. */
    static final class QdrantSinkContext implements DataStreamSinkV2ExternalContext<String> {
        private static final int DIMENSIONS = 4;

        private final LocalQdrantServer server;
        private final String collection = TestNames.fresh("suite");

        QdrantSinkContext(LocalQdrantServer server) {
            this.server = server;
        }

        @Override
        public Sink<String> createSink(TestingSinkSettings settings) {
            DeliveryGuarantee guarantee = settings.getCheckpointingMode()
                    == org.apache.flink.streaming.api.CheckpointingMode.EXACTLY_ONCE
                    ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
            return new StringPointSink(QdrantSink.builder()
                    .setEndpoint(QdrantEndpoint.of(server.host(), server.port()))
                    .setVectorSize(DIMENSIONS)
                    .addCollection(collection, List.of("value"))
                    .setDeliveryGuarantee(guarantee)
                    .build(), collection);
        }

        @Override
        public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings settings) {
            QdrantClient client = QdrantEndpoint.of(server.host(), server.port()).newClient();
            Set<String> returned = new HashSet<>();
            return new ExternalSystemDataReader<>() {
                @Override
                public List<String> poll(Duration timeout) {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    try {
                        while (true) {
                            List<String> fresh = new ArrayList<>();
                            if (client.collectionExistsAsync(collection).get(30, TimeUnit.SECONDS)) {
                                for (Map.Entry<String, RetrievedPoint> p
                                        : QdrantPoints.scrollAll(client, collection).entrySet()) {
                                    if (returned.add(p.getKey())) {
                                        fresh.add((String) Payloads.toJava(p.getValue().getPayloadMap().get("value")));
                                    }
                                }
                            }
                            if (!fresh.isEmpty() || System.nanoTime() > deadline) {
                                return fresh;
                            }
                            TimeUnit.MILLISECONDS.sleep(50);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return List.of();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot read collection " + collection, e);
                    }
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        }

        @Override
        public List<String> generateTestData(TestingSinkSettings settings, long seed) {
            Random random = new Random(seed);
            int count = 100 + random.nextInt(200);
            Set<String> records = new LinkedHashSet<>();
            for (int i = 0; records.size() < count; i++) {
                records.add("record-" + i + "-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
            }
            return new ArrayList<>(records);
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }

        @Override
        public List<URL> getConnectorJarPaths() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    /** The Qdrant sink for strings: each string is the point UUIDv5("suite", s) with payload {"value": s}. */
    static final class StringPointSink implements Sink<String>, SupportsCommitter<QdrantCommittable> {
        private final QdrantSink delegate;
        private final String collection;

        StringPointSink(QdrantSink delegate, String collection) {
            this.delegate = delegate;
            this.collection = collection;
        }

        @Override
        @SuppressWarnings("unchecked")
        public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
            CommittingSinkWriter<PointWrite, QdrantCommittable> writer =
                    (CommittingSinkWriter<PointWrite, QdrantCommittable>) delegate.createWriter(context);
            return new CommittingSinkWriter<String, QdrantCommittable>() {
                @Override
                public void write(String value, Context ctx) throws IOException, InterruptedException {
                    int h = value.hashCode();
                    writer.write(new PointWrite(collection, PointIds.of("suite", value).toString(), false,
                            new float[] {1 + (h & 7), 1 + ((h >> 3) & 7), 1, 1},
                            "{\"value\":\"" + value + "\"}"), ctx);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    writer.flush(endOfInput);
                }

                @Override
                public Collection<QdrantCommittable> prepareCommit() throws IOException, InterruptedException {
                    return writer.prepareCommit();
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }

        @Override
        public Committer<QdrantCommittable> createCommitter(CommitterInitContext context) throws IOException {
            return delegate.createCommitter(context);
        }

        @Override
        public SimpleVersionedSerializer<QdrantCommittable> getCommittableSerializer() {
            return delegate.getCommittableSerializer();
        }
    }
}
