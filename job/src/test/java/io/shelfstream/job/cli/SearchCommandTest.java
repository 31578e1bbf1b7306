package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Points.SearchPoints;

/** {@code ./shelfstream search}: options, filters and the errors for bad ones; no services needed. */
class SearchCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SearchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void defaultsMatchTheJob() {
        SearchCommand.Options o = SearchCommand.Options.parse(new String[] {"dragons"});
        assertThat(o.query).isEqualTo("dragons");
        assertThat(o.collection).isEqualTo("books");
        assertThat(o.limit).isEqualTo(10);
        assertThat(o.vectorName).isEqualTo("text");
        assertThat(o.device).isEqualTo("auto");
        assertThat(o.endpoint().toString()).isEqualTo("http://localhost:6334");
        assertThat(o.scoreThreshold).isNull();
        SearchPoints request = o.request(List.of(0.5f, 0.5f));
        assertThat(request.getCollectionName()).isEqualTo("books");
        assertThat(request.getVectorName()).isEqualTo("text");
        assertThat(request.getLimit()).isEqualTo(10);
        assertThat(request.hasFilter()).isFalse();
        assertThat(request.hasScoreThreshold()).isFalse();
    }

    @Test
    void everyOptionIsParsedInAnyOrder() {
        SearchCommand.Options o = SearchCommand.Options.parse(new String[] {"--limit", "3", "--collection", "students",
                "--filter", "grade>=4", "a quiet story", "--qdrant-url", "https://q.example:7334", "--api-key", "k",
                "--device", "cpu", "--vector-name", "profile", "--show-score-threshold", "0.25", "--filter",
                "genres=fantasy|mystery"});
        assertThat(o.query).isEqualTo("a quiet story");
        assertThat(o.collection).isEqualTo("students");
        assertThat(o.limit).isEqualTo(3);
        assertThat(o.device).isEqualTo("cpu");
        assertThat(o.endpoint().tls()).isTrue();
        assertThat(o.endpoint().port()).isEqualTo(7334);
        assertThat(o.endpoint().apiKey()).isEqualTo("k");
        SearchPoints request = o.request(List.of(1f));
        assertThat(request.getVectorName()).isEqualTo("profile");
        assertThat(request.getScoreThreshold()).isEqualTo(0.25f);
        assertThat(request.getFilter().getMustList()).hasSize(2);
        assertThat(request.getFilter().getMust(0).getField().getRange().getGte()).isEqualTo(4.0);
        assertThat(request.getFilter().getMust(1).getField().getMatch().getKeywords().getStringsList())
                .containsExactly("fantasy", "mystery");
    }

    @Test
    void filtersBecomeKeywordAnyOfAndRangeConditions() {
        FieldCondition keyword = SearchCommand.filter("genres=fantasy").getField();
        assertThat(keyword.getKey()).isEqualTo("genres");
        assertThat(keyword.getMatch().getKeyword()).isEqualTo("fantasy");

        // everything after the first '=' is the value, spaces and '=' included
        assertThat(SearchCommand.filter("title=A = B").getField().getMatch().getKeyword()).isEqualTo("A = B");

        FieldCondition any = SearchCommand.filter("reading_level=grade 4|grade 5").getField();
        assertThat(any.getMatch().getKeywords().getStringsList()).containsExactly("grade 4", "grade 5");

        Condition atLeast = SearchCommand.filter("checkout_count>=3");
        assertThat(atLeast.getField().getKey()).isEqualTo("checkout_count");
        assertThat(atLeast.getField().getRange().getGte()).isEqualTo(3.0);
        assertThat(atLeast.getField().getRange().hasLte()).isFalse();
        assertThat(SearchCommand.filter("grade<=5.5").getField().getRange().getLte()).isEqualTo(5.5);
        assertThat(SearchCommand.filter("grade>5").getField().getRange().getGt()).isEqualTo(5.0);
        assertThat(SearchCommand.filter("grade<5").getField().getRange().getLt()).isEqualTo(5.0);
        assertThat(SearchCommand.filter("meta.year>=2001").getField().getKey()).isEqualTo("meta.year");
    }

    @Test
    void malformedFiltersAreNamed() {
        assertThatThrownBy(() -> SearchCommand.filter("fantasy")).hasMessage(
                "malformed --filter 'fantasy': no operator (expected key=value, key=a|b, key>=N or key<=N)");
        assertThatThrownBy(() -> SearchCommand.filter("=fantasy")).hasMessageContaining("no key before '='");
        assertThatThrownBy(() -> SearchCommand.filter("genres=")).hasMessageContaining("no value after '='");
        assertThatThrownBy(() -> SearchCommand.filter("genres=a||b")).hasMessageContaining("empty alternative");
        assertThatThrownBy(() -> SearchCommand.filter("genres=a|")).hasMessageContaining("empty alternative");
        assertThatThrownBy(() -> SearchCommand.filter("grade>=five"))
                .hasMessageContaining("'>=' needs a number, got 'five'");
        assertThatThrownBy(() -> SearchCommand.filter("grade<=")).hasMessageContaining("'<=' needs a number");
        assertThatThrownBy(() -> SearchCommand.filter("grade>=NaN")).hasMessageContaining("finite number");
        assertThatThrownBy(() -> SearchCommand.filter("gen res=x")).hasMessageContaining("'gen res' is not a payload key");
    }

    @Test
    void usageErrorsAreOneLinePlusUsageAndExitTwo() {
        assertUsageError("search: malformed --filter 'genres': no operator", "dragons", "--filter", "genres");
        assertUsageError("search: unknown option --limt", "dragons", "--limt", "3");
        assertUsageError("search: missing query", "--limit", "3");
        assertUsageError("search: missing query", "   ");
        assertUsageError("search: --limit must be in 1..1000, got 0", "dragons", "--limit", "0");
        assertUsageError("search: --limit must be in 1..1000, got 1001", "dragons", "--limit", "1001");
        assertUsageError("search: --limit must be a whole number in 1..1000, got 'ten'", "dragons", "--limit", "ten");
        assertUsageError("search: --limit needs a value", "dragons", "--limit");
        assertUsageError("search: unexpected argument 'north'", "dragons", "north");
        assertUsageError("search: --show-score-threshold must be a number", "dragons", "--show-score-threshold", "hi");
        assertUsageError("search: bad --qdrant-url 'http://'", "dragons", "--qdrant-url", "http://");
        assertUsageError("search: ", "dragons", "--device", "tpu");
        assertUsageError("search: --collection must not be blank", "dragons", "--collection", "");
    }

    @Test
    void limitBoundsAreAccepted() {
        assertThat(SearchCommand.Options.parse(new String[] {"q", "--limit", "1"}).limit).isEqualTo(1);
        assertThat(SearchCommand.Options.parse(new String[] {"q", "--limit", "1000"}).limit).isEqualTo(1000);
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: ./shelfstream search \"text\"");
        assertThat(err()).isEmpty();
    }

    @Test
    void anUnreachableQdrantIsOneLineAndExitOne() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free again once closed: nothing listens there
        }
        int exit = run("dragons", "--qdrant-url", "http://localhost:" + port);
        assertThat(exit).isEqualTo(1);
        assertThat(err()).startsWith("search: cannot reach Qdrant at http://localhost:" + port)
                .contains("gRPC port (6334, not the REST port 6333)");
        assertThat(err().lines()).hasSize(1);
        assertThat(err()).doesNotContain("\tat ");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    private void assertUsageError(String expectedStart, String... args) {
        out.reset();
        err.reset();
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
        List<String> lines = err().lines().toList();
        assertThat(lines).as(err()).hasSize(2);
        assertThat(lines.get(0)).startsWith(expectedStart);
        assertThat(lines.get(1)).startsWith("usage: ./shelfstream search");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
