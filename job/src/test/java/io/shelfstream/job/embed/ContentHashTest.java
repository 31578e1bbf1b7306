package io.shelfstream.job.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** {@link ContentHash}: SHA-256 of model id and text, plus extra content when there is some. */
class ContentHashTest {

    @Test
    void isTheSha256OfModelIdAndTextJoinedByNul() throws Exception {
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("all-minilm-l6-v2\0Frindle.".getBytes(StandardCharsets.UTF_8)));
        assertThat(ContentHash.of("all-minilm-l6-v2", "Frindle.", "")).isEqualTo(expected).hasSize(64);
    }

    @Test
    void changesWithTheModelTheTextAndTheExtraContent() {
        String base = ContentHash.of("m", "text", "");
        assertThat(ContentHash.of("m2", "text", "")).isNotEqualTo(base);
        assertThat(ContentHash.of("m", "text.", "")).isNotEqualTo(base);
        assertThat(ContentHash.of("m", "text", "middle-grade")).isNotEqualTo(base);
        // moving characters between parts changes the hash
        assertThat(ContentHash.of("m", "ab", "c")).isNotEqualTo(ContentHash.of("m", "a", "bc"));
    }
}
