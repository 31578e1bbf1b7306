package io.shelfstream.connectors.qdrant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class PointIdsTest {

    @Test
    void uuidsInEverySpellingQdrantAcceptsBecomeLowerCaseHyphenated() {
        String id = "6F1C3D2A-8B4E-5F7A-9C0D-2E4B6A8C0F13";
        assertThat(PointIds.canonical(id))
                .isEqualTo("6f1c3d2a-8b4e-5f7a-9c0d-2e4b6a8c0f13");
        assertThat(PointIds.canonical("6f1c3d2a8b4e5f7a9c0d2e4b6a8c0f13"))
                .isEqualTo("6f1c3d2a-8b4e-5f7a-9c0d-2e4b6a8c0f13");
    }

    @Test
    void unsignedIntegersUpTo64BitsAreIdsWithoutLeadingZeros() {
        assertThat(PointIds.canonical("007")).isEqualTo("7");
        assertThat(PointIds.canonical("18446744073709551615"))
                .isEqualTo("18446744073709551615");
        assertThat(PointIds.toPointId("18446744073709551615").getNum())
                .isEqualTo(-1L);
    }

    @Test
    void idsQdrantRejectsAreRejectedWithAHint() {
        for (String bad : new String[] {"", "abc", "-1", "18446744073709551616", "1-2-3-4-5", "b-0001",
                "6f1c3d2a-8b4e-5f7a-9c0d-2e4b6a8c0f1"}) {
            assertThatThrownBy(() -> PointIds.canonical(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("UUID");
        }
    }

    @Test
    void derivedEntityIdsAreStableUuidsTheSinkKeepsAsTheyAre() {
        UUID first = io.shelfstream.schemas.PointIds.book("b-0001");
        assertThat(io.shelfstream.schemas.PointIds.book("b-0001")).isEqualTo(first);
        assertThat(io.shelfstream.schemas.PointIds.book("b-0002")).isNotEqualTo(first);
        assertThat(io.shelfstream.schemas.PointIds.student("b-0001")).as("entity type is part of the name").isNotEqualTo(first);
        assertThat(first.version()).isEqualTo(5);
        assertThat(PointIds.canonical(first.toString()))
                .isEqualTo(first.toString());
        assertThat(PointIds.toPointId(first.toString()).getUuid())
                .isEqualTo(first.toString());
    }
}
