-- shelfstream embedding ledger: written by the job (exactly-once, XA), read by backfills, audits and migrations.
-- One row per entity that currently has a point in Qdrant; a removal deletes the entity's row.

CREATE TABLE IF NOT EXISTS embedding_ledger (
    entity_type      TEXT NOT NULL CHECK (entity_type IN ('book', 'student')),
    entity_id        TEXT NOT NULL,
    -- UUIDv5(shelfstream namespace, entity_type || ':' || entity_id), the Qdrant point id
    point_id         UUID NOT NULL,
    -- the Qdrant collection (a versioned name, not the readers' alias) the point was written to
    collection       TEXT NOT NULL,
    -- hash of the embedded text; an unchanged hash means the text need not be embedded again
    content_hash     TEXT NOT NULL,
    -- the model that made the vector, e.g. all-MiniLM-L6-v2
    model_id         TEXT NOT NULL,
    -- the event_id of the event that caused the embedding (or a backfill run id)
    source_event_id  TEXT NOT NULL,
    -- 'topic/partition/offset' of that event, or 'backfill'
    source_position  TEXT NOT NULL,
    embedded_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entity_type, entity_id)
);

-- removals arrive as point ids (a Qdrant delete carries no entity id)
CREATE UNIQUE INDEX IF NOT EXISTS embedding_ledger_point_idx ON embedding_ledger (point_id);

-- model migrations look up what a model (or a collection) still has to re-embed
CREATE INDEX IF NOT EXISTS embedding_ledger_model_idx ON embedding_ledger (model_id, entity_type);
