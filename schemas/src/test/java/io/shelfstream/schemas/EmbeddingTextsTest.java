package io.shelfstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class EmbeddingTextsTest {

    @Test
    void bookTextJoinsTitleDescriptionAuthorAndGenres() {
        assertThat(EmbeddingTexts.book("Tide Pools", "Hannah Okafor", "Life between the tides.", List.of("nature", "science")))
                .isEqualTo("Tide Pools. Life between the tides. By Hannah Okafor. Genres: nature, science.");
    }

    @Test
    void bookTextToleratesMissingDescriptionAuthorAndGenres() {
        assertThat(EmbeddingTexts.book("Tide Pools", null, null, List.of())).isEqualTo("Tide Pools");
        assertThat(EmbeddingTexts.book("Tide Pools", null, "  ", List.of("nature")))
                .isEqualTo("Tide Pools. Genres: nature.");
    }
}
