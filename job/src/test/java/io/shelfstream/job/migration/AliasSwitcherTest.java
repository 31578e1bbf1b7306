package io.shelfstream.job.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.QdrantAliases;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.testutils.TestNames;

/**
 * {@link AliasSwitcher} against the local Qdrant-compatible server: when it switches, when it must not, and that the
 * backfill ends it heard survive a restore.
 */
class AliasSwitcherTest {

    private static LocalQdrantServer server;
    private static QdrantEndpoint endpoint;
    private static QdrantClient client;
    private static QdrantAliases aliases;

    @BeforeAll
    static void startServer() {
        server = LocalQdrantServer.start();
        endpoint = QdrantEndpoint.of(server.host(), server.port());
        client = endpoint.newClient();
        aliases = QdrantAliases.using(client);
    }

    @AfterAll
    static void stopServer() {
        aliases.close();
        client.close();
        server.close();
    }

    /** An alias on an old collection, a new collection to move it to. */
    private record Migration(String alias, String oldCollection, String newCollection) {
        Map<String, String> target() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(alias, newCollection);
            return m;
        }
    }

    private static Migration migration() throws Exception {
        String alias = TestNames.fresh("books");
        Migration m = new Migration(alias, alias + "__old", alias + "__new");
        for (String c : new String[] {m.oldCollection(), m.newCollection()}) {
            client.createCollectionAsync(c, VectorParams.newBuilder().setSize(2).setDistance(Distance.Cosine).build())
                    .get(30, TimeUnit.SECONDS);
        }
        aliases.switchAlias(alias, m.oldCollection());
        return m;
    }

    private static OneInputStreamOperatorTestHarness<BackfillEnd, Void> harness(Migration m, Set<String> backfills)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new AliasSwitcher(endpoint, m.target(), backfills));
    }

    private static StreamRecord<BackfillEnd> end(String entities, int subtask, int parallelism) {
        return new StreamRecord<>(new BackfillEnd(entities, subtask, parallelism, 10));
    }

    @Test
    void theMarkerTravelsAsAPojo() {
        assertThat(TypeInformation.of(BackfillEnd.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void switchesOnlyAfterACheckpointLaterThanTheOneCoveringEveryBackfillEnd() throws Exception {
        Migration m = migration();
        try (var h = harness(m, Set.of("books", "students"))) {
            h.open();
            h.processElement(end("books", 0, 2));
            h.processElement(end("books", 1, 2));
            h.snapshot(1, 1);
            h.notifyOfCompletedCheckpoint(1);
            assertThat(aliases.target(m.alias())).as("students' backfill has not ended").contains(m.oldCollection());

            h.processElement(end("students", 0, 1));
            h.snapshot(2, 2);
            h.notifyOfCompletedCheckpoint(2);
            assertThat(aliases.target(m.alias())).as("checkpoint 2 covers the rows; its commit may still be running")
                    .contains(m.oldCollection());

            h.snapshot(3, 3);
            h.notifyOfCompletedCheckpoint(3);
            assertThat(aliases.target(m.alias())).contains(m.newCollection());
        }
    }

    @Test
    void anEndFromEverySubtaskIsNeeded() throws Exception {
        Migration m = migration();
        try (var h = harness(m, Set.of("books"))) {
            h.open();
            h.processElement(end("books", 0, 3));
            h.processElement(end("books", 2, 3));
            h.processElement(end("books", 2, 3)); // the same subtask twice is still one
            for (long cp = 1; cp <= 3; cp++) {
                h.snapshot(cp, cp);
                h.notifyOfCompletedCheckpoint(cp);
            }
            assertThat(aliases.target(m.alias())).contains(m.oldCollection());
        }
    }

    @Test
    void endsHeardBeforeARestoreCount() throws Exception {
        Migration m = migration();
        OperatorSubtaskState state;
        try (var h = harness(m, Set.of("books"))) {
            h.open();
            h.processElement(end("books", 0, 2));
            state = h.snapshot(1, 1);
        }
        try (var h = harness(m, Set.of("books"))) {
            h.initializeState(state);
            h.open();
            h.processElement(end("books", 1, 2));
            for (long cp = 2; cp <= 3; cp++) {
                h.snapshot(cp, cp);
                h.notifyOfCompletedCheckpoint(cp);
            }
            assertThat(aliases.target(m.alias())).contains(m.newCollection());
        }
    }

    @Test
    void aBoundedJobSwitchesAtItsFinalCheckpoint() throws Exception {
        Migration m = migration();
        try (var h = harness(m, Set.of("books"))) {
            h.open();
            h.processElement(end("books", 0, 1));
            h.endInput();
            h.snapshot(1, 1);
            h.notifyOfCompletedCheckpoint(1);
            assertThat(aliases.target(m.alias())).contains(m.newCollection());
        }
    }

    @Test
    void aBoundedJobDoesNotSwitchOnACheckpointTakenBeforeItsEnd() throws Exception {
        Migration m = migration();
        try (var h = harness(m, Set.of("books"))) {
            h.open();
            h.snapshot(1, 1);
            h.processElement(end("books", 0, 1));
            h.endInput();
            h.notifyOfCompletedCheckpoint(1);
            assertThat(aliases.target(m.alias())).as("checkpoint 1's barrier came before the end")
                    .contains(m.oldCollection());
            // the final checkpoint, for which a finished operator is not snapshotted
            h.notifyOfCompletedCheckpoint(2);
            assertThat(aliases.target(m.alias())).contains(m.newCollection());
        }
    }

    @Test
    void withoutABackfillAMissingAliasIsCreatedAndAnExistingOneLeftAlone() throws Exception {
        Migration m = migration();
        String fresh = TestNames.fresh("students");
        client.createCollectionAsync(fresh + "__new", VectorParams.newBuilder().setSize(2)
                .setDistance(Distance.Cosine).build()).get(30, TimeUnit.SECONDS);
        Map<String, String> target = new LinkedHashMap<>(m.target());
        target.put(fresh, fresh + "__new");
        try (var h = new OneInputStreamOperatorTestHarness<BackfillEnd, Void>(
                new AliasSwitcher(endpoint, target, Set.of()))) {
            h.open();
            for (long cp = 1; cp <= 3; cp++) {
                h.snapshot(cp, cp);
                h.notifyOfCompletedCheckpoint(cp);
            }
        }
        assertThat(aliases.target(fresh)).contains(fresh + "__new");
        assertThat(aliases.target(m.alias())).contains(m.oldCollection());
    }
}
