package io.shelfstream.connectors.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class JdbcEnrichmentOptionsTest {

    private static JdbcEnrichmentOptions.Builder builder() {
        return JdbcEnrichmentOptions.builder().setJdbcUrl("jdbc:postgresql://pg:5432/catalog");
    }

    @Test
    void defaultsAreTheNamedConstants() {
        JdbcEnrichmentOptions o = builder().build();
        assertThat(o.poolSize()).isEqualTo(JdbcEnrichmentOptions.DEFAULT_POOL_SIZE);
        assertThat(o.batchSize()).isEqualTo(JdbcEnrichmentOptions.DEFAULT_BATCH_SIZE);
        assertThat(o.maxBatchDelay()).isEqualTo(JdbcEnrichmentOptions.DEFAULT_MAX_BATCH_DELAY);
        assertThat(o.capacity()).isEqualTo(JdbcEnrichmentOptions.DEFAULT_CAPACITY);
        assertThat(o.timeout()).isEqualTo(JdbcEnrichmentOptions.DEFAULT_TIMEOUT);
        assertThat(o.maxRetries()).isEqualTo(JdbcEnrichmentOptions.DEFAULT_MAX_RETRIES);
        assertThat(o.retryInitialDelay()).isEqualTo(JdbcEnrichmentOptions.DEFAULT_RETRY_INITIAL_DELAY);
        assertThat(o.retryMaxDelay()).isEqualTo(JdbcEnrichmentOptions.DEFAULT_RETRY_MAX_DELAY);
        assertThat(o.isCacheEnabled()).isFalse();
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(o.missingRowRetryWindow()).isEqualTo(Duration.ofMillis(5 * 2000 + 6 * 10));
    }

    @Test
    void settersRejectBadValuesAndSayWhy() {
        assertThatThrownBy(() -> builder().setJdbcUrl("postgres://x")).hasMessageContaining("must start with 'jdbc:'");
        assertThatThrownBy(() -> builder().setBatchSize(0)).hasMessageContaining("Batch size must be in 1..10000");
        assertThatThrownBy(() -> builder().setPoolSize(0)).hasMessageContaining("Pool size");
        assertThatThrownBy(() -> builder().setMaxBatchDelay(Duration.ofMillis(-1)))
                .hasMessageContaining("Max batch delay");
        assertThatThrownBy(() -> builder().setTimeout(Duration.ZERO)).hasMessageContaining("Timeout must be positive");
        assertThatThrownBy(() -> builder().setMaxRetries(-1)).hasMessageContaining("Max retries");
        assertThatThrownBy(() -> builder().setRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
                .hasMessageContaining("at least the initial delay");
        assertThatThrownBy(() -> builder().setRetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5))
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> builder().setCache(-1, Duration.ofSeconds(1))).hasMessageContaining("Cache size");
        assertThatThrownBy(() -> builder().setConnectionTimeout(Duration.ofMillis(10)))
                .hasMessageContaining("at least 250 ms");
    }

    @Test
    void buildRejectsSettingsThatContradictEachOther() {
        assertThatThrownBy(() -> JdbcEnrichmentOptions.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("setJdbcUrl");
        assertThatThrownBy(() -> builder().setCapacity(10).setBatchSize(20).build())
                .hasMessageContaining("Lower the batch size or raise the capacity");
        assertThatThrownBy(() -> builder().setTimeout(Duration.ofSeconds(5)).build())
                .hasMessageContaining("Connection timeout PT5S must be shorter than the timeout PT5S");
        assertThatThrownBy(() -> builder().setMaxRetries(10).build())
                .hasMessageContaining("Raise the timeout to at least PT40.22S")
                .hasMessageContaining("or lower the retries");
        assertThat(builder().setMaxRetries(10).setTimeout(Duration.ofSeconds(41)).build().maxRetries()).isEqualTo(10);
    }

    @Test
    void toStringHidesThePassword() {
        assertThat(builder().setPassword("secret").build().toString()).doesNotContain("secret").contains("***");
    }
}
