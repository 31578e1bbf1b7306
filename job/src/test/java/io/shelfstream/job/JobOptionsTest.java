package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class JobOptionsTest {

    @Test
    void argumentsOverrideDefaults() {
        JobOptions o = JobOptions.fromArgs("--topic.books", "library-books", "--checkpoint.interval=500ms");
        assertThat(o.get("topic.books")).isEqualTo("library-books");
        assertThat(o.duration("checkpoint.interval")).isEqualTo(Duration.ofMillis(500));
        assertThat(o.get("qdrant.url")).isEqualTo(JobOptions.DEFAULTS.get("qdrant.url"));
    }

    @Test
    void unknownOptionsAndBadValuesFailWithAMessage() {
        assertThatThrownBy(() -> JobOptions.fromArgs("--topic.bookz", "x"))
                .hasMessageContaining("Unknown option --topic.bookz").hasMessageContaining("topic.books");
        assertThatThrownBy(() -> JobOptions.fromArgs("--parallelism", "zero"))
                .hasMessageContaining("--parallelism must be a positive integer");
        assertThatThrownBy(() -> JobOptions.fromArgs("--catalog.timeout", "soon"))
                .hasMessageContaining("duration like");
        assertThatThrownBy(() -> JobOptions.fromArgs("--topic.books"))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> JobOptions.fromArgs("topic.books"))
                .hasMessageContaining("Expected --key value");
    }

    @Test
    void embeddingOptionsReachTheEmbedderSettings() {
        JobOptions o = JobOptions.fromArgs("--embedding.device", "cpu", "--embedding.quantized", "true",
                "--embedding.threads", "3");
        io.shelfstream.embedding.EmbedderOptions e = ShelfstreamJob.embedderOptions(o);
        assertThat(e.isQuantized()).isTrue();
        assertThat(e.intraOpThreads()).isEqualTo(3);
        assertThat(e.modelId()).isEqualTo(io.shelfstream.embedding.EmbedderOptions.BUNDLED_QUANTIZED_MODEL_ID);
        assertThat(ShelfstreamJob.embedderOptions(JobOptions.defaults()).isQuantized()).isFalse();
        assertThatThrownBy(() -> JobOptions.fromArgs("--embedding.quantized", "yes"))
                .hasMessageContaining("must be true or false");
    }

    @Test
    void secretsAreNotPrinted() {
        JobOptions o = JobOptions.fromArgs("--catalog.password", "hunter2", "--qdrant.api-key", "k-123");
        assertThat(o.toString()).doesNotContain("hunter2").doesNotContain("k-123");
    }
}
