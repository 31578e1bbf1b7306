package io.shelfstream.connectors.testutils;

import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.EnrichmentMapper;

/**
 * Maps a {@link LookupEvent} and its row to an {@link EnrichedEvent}; events whose key starts with "skip-" need no
 * row.
 */
public final class TitleMapper implements EnrichmentMapper<LookupEvent, EnrichedEvent> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean needsLookup(LookupEvent event) {
        return !event.key().startsWith("skip-");
    }

    @Override
    public EnrichedEvent withoutLookup(LookupEvent event) {
        return new EnrichedEvent(event, null, false);
    }

    @Override
    public EnrichedEvent found(LookupEvent event, CatalogRow row) {
        return new EnrichedEvent(event, row.getString("title"), false);
    }

    @Override
    public EnrichedEvent missing(LookupEvent event) {
        return new EnrichedEvent(event, null, true);
    }

    @Override
    public boolean isMissing(EnrichedEvent output) {
        return output.missing();
    }
}
