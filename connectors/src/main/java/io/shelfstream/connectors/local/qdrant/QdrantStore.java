package io.shelfstream.connectors.local.qdrant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;

/**
 * The collections and aliases of one server.
 *
 * <p>Names resolve as in Qdrant: an alias wins over a collection of the same name, and a name that is
 * neither fails with NOT_FOUND "Collection `name` doesn't exist!". Alias changes of one request run under
 * one exclusive lock, so no reader sees half of them; as in Qdrant, a failing action does not undo the
 * actions before it. Deleting a collection removes its aliases.
 */
final class QdrantStore {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, LocalCollection> collections = new TreeMap<>();
    private final Map<String, String> aliases = new TreeMap<>();

    /** The collection a name or alias refers to. */
    LocalCollection resolve(String name) {
        lock.readLock().lock();
        try {
            String target = aliases.getOrDefault(name, name);
            LocalCollection collection = collections.get(target);
            if (collection == null) {
                throw QdrantErrors.collectionNotFound(target);
            }
            return collection;
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean exists(String name) {
        lock.readLock().lock();
        try {
            return collections.containsKey(aliases.getOrDefault(name, name));
        } finally {
            lock.readLock().unlock();
        }
    }

    void create(LocalCollection collection) {
        lock.writeLock().lock();
        try {
            String name = collection.name();
            if (collections.containsKey(name)) {
                throw QdrantErrors.collectionAlreadyExists(name);
            }
            if (aliases.containsKey(name)) {
                throw QdrantErrors.badInput("Can't create collection with name " + name
                        + ". Alias with the same name already exists");
            }
            collections.put(name, collection);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Deletes a collection by its own name (not an alias); returns whether it existed. */
    boolean delete(String name) {
        lock.writeLock().lock();
        try {
            aliases.values().removeIf(name::equals);
            return collections.remove(name) != null;
        } finally {
            lock.writeLock().unlock();
        }
    }

    List<String> collectionNames() {
        lock.readLock().lock();
        try {
            return new ArrayList<>(collections.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    void updateAliases(List<AliasOperations> actions) {
        for (AliasOperations action : actions) {
            if (action.getActionCase() == AliasOperations.ActionCase.ACTION_NOT_SET) {
                throw QdrantErrors.invalidArgument("Malformed AliasOperation type");
            }
        }
        lock.writeLock().lock();
        try {
            for (AliasOperations action : actions) {
                switch (action.getActionCase()) {
                    case CREATE_ALIAS: {
                        String collection = action.getCreateAlias().getCollectionName();
                        String alias = action.getCreateAlias().getAliasName();
                        if (!collections.containsKey(collection)) {
                            throw QdrantErrors.collectionNotFound(collection);
                        }
                        if (collections.containsKey(alias)) {
                            throw QdrantErrors.collectionAlreadyExists(alias);
                        }
                        aliases.put(alias, collection);
                        break;
                    }
                    case DELETE_ALIAS:
                        aliases.remove(action.getDeleteAlias().getAliasName());
                        break;
                    case RENAME_ALIAS: {
                        String oldName = action.getRenameAlias().getOldAliasName();
                        String collection = aliases.remove(oldName);
                        if (collection == null) {
                            throw QdrantErrors.notFound("Alias " + oldName + " does not exists!");
                        }
                        aliases.put(action.getRenameAlias().getNewAliasName(), collection);
                        break;
                    }
                    default:
                        throw new IllegalStateException("unreachable: " + action.getActionCase());
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Every alias, grouped by collection in name order. */
    List<AliasDescription> listAliases() {
        lock.readLock().lock();
        try {
            List<AliasDescription> out = new ArrayList<>();
            for (String collection : collections.keySet()) {
                for (Map.Entry<String, String> alias : aliases.entrySet()) {
                    if (alias.getValue().equals(collection)) {
                        out.add(describe(alias.getKey(), collection));
                    }
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Aliases of the collection with exactly this name (aliases are not resolved; unknown names give none). */
    List<AliasDescription> aliasesOf(String collection) {
        lock.readLock().lock();
        try {
            List<AliasDescription> out = new ArrayList<>();
            for (Map.Entry<String, String> alias : aliases.entrySet()) {
                if (alias.getValue().equals(collection)) {
                    out.add(describe(alias.getKey(), collection));
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    private static AliasDescription describe(String alias, String collection) {
        return AliasDescription.newBuilder().setAliasName(alias).setCollectionName(collection).build();
    }
}
