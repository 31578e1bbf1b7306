package io.shelfstream.connectors.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.testutils.TestNames;

/** {@link QdrantAliases} against the local Qdrant-compatible server. */
class QdrantAliasesTest {

    private static final String UPDATE_ALIASES = CollectionsGrpc.getUpdateAliasesMethod().getFullMethodName();

    private static LocalQdrantServer server;
    private static QdrantClient client;
    private static QdrantAliases aliases;

    @BeforeAll
    static void startServer() {
        server = LocalQdrantServer.start();
        QdrantEndpoint endpoint = QdrantEndpoint.of(server.host(), server.port());
        client = endpoint.newClient();
        aliases = QdrantAliases.connect(endpoint);
    }

    @AfterAll
    static void stopServer() {
        aliases.close();
        client.close();
        server.close();
    }

    private static String collection(String prefix) throws Exception {
        String name = TestNames.fresh(prefix);
        client.createCollectionAsync(name, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build())
                .get(30, TimeUnit.SECONDS);
        return name;
    }

    @Test
    void switchCreatesThenMovesTheAliasWithOneRequestEach() throws Exception {
        String v1 = collection("books_v1");
        String v2 = collection("books_v2");
        String alias = TestNames.fresh("books");
        assertThat(aliases.target(alias)).isEmpty();

        long before = server.calls(UPDATE_ALIASES);
        assertThat(aliases.switchAlias(alias, v1)).isEmpty();
        assertThat(aliases.target(alias)).contains(v1);
        assertThat(aliases.switchAlias(alias, v2)).contains(v1);
        assertThat(server.calls(UPDATE_ALIASES) - before).isEqualTo(2);

        assertThat(aliases.target(alias)).contains(v2);
        assertThat(aliases.aliasesOf(v1)).isEmpty();
        assertThat(aliases.aliasesOf(v2)).containsExactly(alias);
        assertThat(aliases.list()).containsEntry(alias, v2);
        // switching to where it already points changes nothing visible
        assertThat(aliases.switchAlias(alias, v2)).contains(v2);
        assertThat(aliases.target(alias)).contains(v2);
    }

    @Test
    void readersNeverFindTheAliasMissingWhileItIsSwitched() throws Exception {
        String v1 = collection("live_v1");
        String v2 = collection("live_v2");
        String alias = TestNames.fresh("live");
        aliases.switchAlias(alias, v1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        List<Throwable> failures = new ArrayList<>();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                try {
                    client.countAsync(alias).get(30, TimeUnit.SECONDS);
                    reads.incrementAndGet();
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                    return;
                }
            }
        }, "alias-reader");
        reader.start();
        try {
            for (int i = 0; i < 200; i++) {
                aliases.switchAlias(alias, i % 2 == 0 ? v2 : v1);
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertThat(failures).isEmpty();
        assertThat(reads.get()).isPositive();
        assertThat(aliases.target(alias)).contains(v1);
    }

    @Test
    void aSwitchThatCannotSucceedIsRefusedBeforeTheAliasIsTouched() throws Exception {
        String v1 = collection("safe_v1");
        String alias = TestNames.fresh("safe");
        aliases.switchAlias(alias, v1);
        long before = server.calls(UPDATE_ALIASES);

        assertThatThrownBy(() -> aliases.switchAlias(alias, v1 + "_missing"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such collection");
        String other = TestNames.fresh("safe_other");
        aliases.switchAlias(other, v1);
        assertThatThrownBy(() -> aliases.switchAlias(alias, other))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("that is an alias")
                .hasMessageContaining("Point it at '" + v1 + "'");
        String v2 = collection("safe_v2");
        assertThatThrownBy(() -> aliases.switchAlias(v2, v1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a collection has that name");

        assertThat(server.calls(UPDATE_ALIASES) - before).isEqualTo(1);
        assertThat(aliases.target(alias)).contains(v1);
    }

    @Test
    void deleteReportsWhetherTheAliasExistedAndKeepsTheCollection() throws Exception {
        String v1 = collection("del_v1");
        String alias = TestNames.fresh("del");
        aliases.switchAlias(alias, v1);
        assertThat(aliases.deleteAlias(alias)).isTrue();
        assertThat(aliases.deleteAlias(alias)).isFalse();
        assertThat(aliases.target(alias)).isEmpty();
        assertThat(client.collectionExistsAsync(v1).get()).isTrue();
    }

    @Test
    void qdrantErrorsCarryTheirStatus() {
        server.failNextCalls(1, Status.Code.UNAVAILABLE,
                CollectionsGrpc.getListAliasesMethod().getFullMethodName());
        assertThatThrownBy(() -> aliases.list())
                .isInstanceOfSatisfying(QdrantAliases.QdrantAdminException.class, e -> {
                    assertThat(e.status()).map(Status::getCode).contains(Status.Code.UNAVAILABLE);
                    assertThat(e).hasMessageContaining("listing aliases").hasMessageContaining("UNAVAILABLE");
                });
        server.clearFaults();
    }

    @Test
    void blankNamesAreRefused() {
        assertThatThrownBy(() -> aliases.switchAlias(" ", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alias name must not be blank");
        assertThatThrownBy(() -> QdrantAliases.connect(QdrantEndpoint.of("localhost", 6334),
                java.time.Duration.ZERO)).hasMessageContaining("must be positive");
    }
}
