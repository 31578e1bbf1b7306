package io.shelfstream.connectors.testutils;

import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;

/**
 * The local Kafka broker, PostgreSQL server and Qdrant-compatible server shared by every test of a test JVM.
 *
 * <p>Each service starts on first use and stops when the JVM exits, so a test run pays for each start once.
 * Tests must not share names: take fresh topics, databases and collections from {@link TestNames}.
 */
public final class LocalServices {

    private static LocalKafka kafka;
    private static LocalPostgres postgres;
    private static LocalQdrantServer qdrant;

    private LocalServices() {
    }

    /** The shared Kafka broker. */
    public static synchronized LocalKafka kafka() {
        if (kafka == null) {
            kafka = LocalKafka.start();
            closeAtExit(kafka, "kafka");
        }
        return kafka;
    }

    /** The shared PostgreSQL server. */
    public static synchronized LocalPostgres postgres() {
        if (postgres == null) {
            postgres = LocalPostgres.start();
            closeAtExit(postgres, "postgres");
        }
        return postgres;
    }

    /** The shared Qdrant-compatible server. */
    public static synchronized LocalQdrantServer qdrant() {
        if (qdrant == null) {
            qdrant = LocalQdrantServer.start();
            closeAtExit(qdrant, "qdrant");
        }
        return qdrant;
    }

    private static void closeAtExit(AutoCloseable service, String name) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("Error stopping local " + name + ": " + e);
            }
        }, "stop-local-" + name));
    }
}
