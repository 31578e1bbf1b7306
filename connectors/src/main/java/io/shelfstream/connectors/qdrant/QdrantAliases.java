package io.shelfstream.connectors.qdrant;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.CreateAlias;
import io.qdrant.client.grpc.Collections.DeleteAlias;

/**
 * Reads and switches Qdrant collection aliases, the way model migrations publish a new collection.
 *
 * <p>Readers (search, recommend) use an alias such as {@code books}; a migration fills a new collection such as
 * {@code books_minilm_v2} and then calls {@link #switchAlias(String, String)}, which sends <em>one</em>
 * UpdateAliases request (delete the alias, create it on the new collection). Qdrant applies the actions of one
 * request while holding its collections lock, so a reader resolves the alias either to the old or to the new
 * collection, never to nothing. Qdrant does not roll back the actions of a request when a later one fails, so the
 * switch first checks that the target is a collection (not an alias, not missing) and that the alias name is not
 * a collection's name: the only ways the create action could fail after the delete had been applied.
 *
 * <pre>{@code
 * try (QdrantAliases aliases = QdrantAliases.connect(QdrantEndpoint.parse("http://qdrant:6334"))) {
 *     Optional<String> before = aliases.switchAlias("books", "books_minilm_v2");
 * }
 * }</pre>
 *
 * <p>Every call waits for Qdrant's answer (30 s at most by default). A failure reported by Qdrant is thrown as
 * {@link QdrantAdminException} with Qdrant's status and message.
 */
public final class QdrantAliases implements AutoCloseable {

    /** How long one call may take unless {@link #connect(QdrantEndpoint, Duration)} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final QdrantClient client;
    private final boolean ownsClient;
    private final Duration timeout;

    private QdrantAliases(QdrantClient client, boolean ownsClient, Duration timeout) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.timeout = timeout;
    }

    /** Opens a client to {@code endpoint}; {@link #close()} closes it. */
    public static QdrantAliases connect(QdrantEndpoint endpoint) {
        return connect(endpoint, DEFAULT_TIMEOUT);
    }

    /** Opens a client to {@code endpoint} with a deadline per call; {@link #close()} closes it. */
    public static QdrantAliases connect(QdrantEndpoint endpoint, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        checkTimeout(timeout);
        return new QdrantAliases(endpoint.newClient(timeout), true, timeout);
    }

    /** Uses a client the caller owns and closes; {@link #close()} leaves it open. */
    public static QdrantAliases using(QdrantClient client) {
        return new QdrantAliases(Objects.requireNonNull(client, "client"), false, DEFAULT_TIMEOUT);
    }

    private static void checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("The Qdrant call timeout must be positive, got " + timeout);
        }
    }

    /** The collection {@code alias} points to, or empty if no alias has that name. */
    public Optional<String> target(String alias) {
        checkName("alias", alias);
        return Optional.ofNullable(list().get(alias));
    }

    /** Every alias and the collection it points to, sorted by alias name. */
    public Map<String, String> list() {
        List<AliasDescription> aliases = call("listing aliases", client.listAliasesAsync());
        Map<String, String> out = new TreeMap<>();
        for (AliasDescription alias : aliases) {
            out.put(alias.getAliasName(), alias.getCollectionName());
        }
        return out;
    }

    /** The aliases that point to the collection named exactly {@code collection}, sorted. */
    public List<String> aliasesOf(String collection) {
        checkName("collection", collection);
        return call("listing the aliases of collection '" + collection + "'",
                client.listCollectionAliasesAsync(collection)).stream().sorted().toList();
    }

    /**
     * Points {@code alias} at {@code collection} in one UpdateAliases request (delete the alias if it exists, then
     * create it), so readers never find the alias missing. Creates the alias if it did not exist; changes nothing
     * visible if it already pointed there.
     *
     * @return the collection the alias pointed to before, or empty if it did not exist
     * @throws IllegalArgumentException if {@code collection} is not a collection (missing, or itself an alias), or
     *     {@code alias} is the name of a collection
     * @throws QdrantAdminException if Qdrant refused or failed the request
     */
    public Optional<String> switchAlias(String alias, String collection) {
        checkName("alias", alias);
        checkName("collection", collection);
        List<String> collections = call("listing collections", client.listCollectionsAsync());
        Map<String, String> aliases = list();
        if (!collections.contains(collection)) {
            throw new IllegalArgumentException(aliases.containsKey(collection)
                    ? "Cannot point alias '" + alias + "' at '" + collection + "': that is an alias (of '"
                            + aliases.get(collection) + "'), and Qdrant aliases must point at a collection. "
                            + "Point it at '" + aliases.get(collection) + "' instead."
                    : "Cannot point alias '" + alias + "' at collection '" + collection + "': no such collection. "
                            + "Create and fill the collection first, then switch the alias.");
        }
        if (collections.contains(alias)) {
            throw new IllegalArgumentException("Cannot create alias '" + alias + "': a collection has that name, "
                    + "and Qdrant does not allow an alias and a collection of the same name. Rename the readers' "
                    + "name or migrate that collection to a versioned name first.");
        }
        Optional<String> before = Optional.ofNullable(aliases.get(alias));
        call("switching alias '" + alias + "' to collection '" + collection + "'",
                client.updateAliasesAsync(List.of(
                        AliasOperations.newBuilder()
                                .setDeleteAlias(DeleteAlias.newBuilder().setAliasName(alias))
                                .build(),
                        AliasOperations.newBuilder()
                                .setCreateAlias(CreateAlias.newBuilder()
                                        .setAliasName(alias)
                                        .setCollectionName(collection))
                                .build())));
        return before;
    }

    /**
     * Deletes {@code alias}; the collection it points to stays.
     *
     * @return whether the alias existed
     */
    public boolean deleteAlias(String alias) {
        checkName("alias", alias);
        boolean existed = list().containsKey(alias);
        call("deleting alias '" + alias + "'", client.deleteAliasAsync(alias));
        return existed;
    }

    private <T> T call(String what, Future<T> future) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new QdrantAdminException("Interrupted while " + what, e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new QdrantAdminException("No answer from Qdrant within " + timeout + " while " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StatusRuntimeException grpc) {
                throw new QdrantAdminException("Qdrant failed " + what + ": " + grpc.getStatus().getCode() + " "
                        + grpc.getStatus().getDescription(), grpc);
            }
            throw new QdrantAdminException("Qdrant failed " + what + ": " + cause, cause);
        }
    }

    private static void checkName(String what, String name) {
        Objects.requireNonNull(name, what);
        if (name.isBlank()) {
            throw new IllegalArgumentException("The " + what + " name must not be blank");
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    /** A Qdrant administration call that Qdrant refused or that did not complete. */
    public static final class QdrantAdminException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        QdrantAdminException(String message, Throwable cause) {
            super(message, cause);
        }

        /** Qdrant's gRPC status, if Qdrant answered with an error. */
        public Optional<io.grpc.Status> status() {
            return getCause() instanceof StatusRuntimeException grpc ? Optional.of(grpc.getStatus())
                    : Optional.empty();
        }
    }
}
