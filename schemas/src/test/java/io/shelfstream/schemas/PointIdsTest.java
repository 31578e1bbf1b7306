package io.shelfstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class PointIdsTest {

    @Test
    void uuidV5MatchesTheRfcExample() {
        // RFC 9562 appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertThat(PointIds.uuidV5(dns, "www.example.com"))
                .isEqualTo(UUID.fromString("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
    }

    @Test
    void sameEntityGivesSamePointAndTypesDoNotCollide() {
        assertThat(PointIds.book("42")).isEqualTo(PointIds.book("42"));
        assertThat(PointIds.book("42")).isNotEqualTo(PointIds.student("42"));
        assertThat(PointIds.book("42").version()).isEqualTo(5);
        assertThat(PointIds.book("42").variant()).isEqualTo(2);
    }
}
