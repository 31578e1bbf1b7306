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
 * actions before it (Qdrant's "atomic" means no reader or writer runs between the actions, not a
 * rollback). Deleting a collection removes its aliases.
 *
 * <p>Every rule below names the Qdrant 1.19 source file it follows (paths in the qdrant/qdrant repository).
 */
final class QdrantStore {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, LocalCollection> collections = new TreeMap<>();
    private final Map<String, String> aliases = new TreeMap<>();

    /**
     * The collection a name or alias refers to.
     *
     * <p>lib/storage/src/content_manager/toc/mod.rs, {@code resolve_name}: the alias mapping is consulted
     * first, then the resolved name must be a collection ({@code validate_collection_exists} in
     * lib/storage/src/content_manager/collections_ops.rs), so the error names the alias's target.
     */
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

    /**
     * Whether a name or alias refers to a collection: src/common/collections.rs, {@code do_collection_exists},
     * resolves through {@code get_collection}, so an alias counts as existing.
     */
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
            // lib/storage/src/content_manager/toc/create_collection.rs: the collection check comes first
            // (AlreadyExists), then the alias check (BadInput), so a name cannot be both.
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

    /**
     * Deletes a collection by its own name (not an alias); returns whether it existed.
     *
     * <p>lib/storage/src/content_manager/toc/collection_meta_ops.rs, {@code delete_collection}: the aliases
     * of the collection are removed first ({@code remove_collection} in alias_mapping.rs); the name is not
     * resolved, so deleting by an alias name deletes nothing and answers false.
     */
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

    /**
     * Applies alias actions in order under one exclusive lock.
     *
     * <p>lib/storage/src/content_manager/toc/collection_meta_ops.rs, {@code update_aliases}: takes the
     * collections write lock and the alias lock for all actions, and applies (and persists) each action before
     * the next, returning the first error without undoing earlier actions. A request with an action of no type is
     * refused before anything is applied (lib/storage/src/content_manager/conversions.rs,
     * {@code TryFrom<grpc::AliasOperations>}).
     */
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
                        // The target must be a collection by its own name (an alias of an alias is NOT_FOUND),
                        // the alias must not be a collection's name (ALREADY_EXISTS); an existing alias of that
                        // name is silently re-pointed (alias_mapping.rs, insert).
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
                        // alias_mapping.rs, remove: a missing alias is not an error.
                        aliases.remove(action.getDeleteAlias().getAliasName());
                        break;
                    case RENAME_ALIAS: {
                        // alias_mapping.rs, rename_alias: NOT_FOUND "Alias <old> does not exists!"; the new name
                        // is checked against nothing (it may replace another alias).
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

    /**
     * Every alias, grouped by collection in name order: lib/storage/src/content_manager/toc/mod.rs,
     * {@code list_aliases}, walks the collections (a BTreeMap, so in name order) and lists each one's aliases.
     */
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

    /**
     * Aliases of the collection with exactly this name (aliases are not resolved; unknown names give none):
     * src/common/collections.rs, {@code do_list_collection_aliases}, looks the name up in the alias mapping only.
     */
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
