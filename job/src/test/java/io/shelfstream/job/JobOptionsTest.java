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
    void secretsAreNotPrinted() {
        JobOptions o = JobOptions.fromArgs("--catalog.password", "hunter2", "--qdrant.api-key", "k-123");
        assertThat(o.toString()).doesNotContain("hunter2").doesNotContain("k-123");
    }
}
