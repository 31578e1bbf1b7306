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

    @Test
    void studentTextNamesGradeInterestsAndGenres() {
        assertThat(EmbeddingTexts.student(6, "space, robots and building things", List.of("science", "adventure")))
                .isEqualTo("A grade 6 reader who likes space, robots and building things. "
                        + "Favourite genres: science, adventure.");
    }

    @Test
    void studentTextToleratesMissingParts() {
        assertThat(EmbeddingTexts.student(null, null, null)).isEqualTo("A reader.");
        assertThat(EmbeddingTexts.student(3, "  ", List.of())).isEqualTo("A grade 3 reader.");
        assertThat(EmbeddingTexts.student(null, " dragons\n and  castles. ", null))
                .isEqualTo("A reader who likes dragons and castles.");
        java.util.List<String> withNull = new java.util.ArrayList<>(java.util.Arrays.asList("fantasy", null, " "));
        assertThat(EmbeddingTexts.student(4, null, withNull)).isEqualTo("A grade 4 reader. Favourite genres: fantasy.");
    }
}
