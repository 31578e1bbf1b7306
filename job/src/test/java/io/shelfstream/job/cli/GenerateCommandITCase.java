package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/** {@code ./shelfstream generate} against "external" Kafka and PostgreSQL (the shared local services). */
class GenerateCommandITCase {

    @Test
    void writesTheCatalogAndTheRecordsTheGeneratorMakes() throws Exception {
        LocalKafka kafka = LocalServices.kafka();
        LocalPostgres postgres = LocalServices.postgres();
        String database = TestNames.fresh("catalog");
        String jdbcUrl = postgres.createDatabase(database);
        String prefix = TestNames.fresh("gen") + ".";
        String[] args = {"--books", "300", "--students", "60", "--checkouts", "2000", "--seed", "11",
            "--malformed-fraction", "0.02", "--max-record-bytes", "4096", "--kafka", kafka.bootstrapServers(),
            "--jdbc-url", jdbcUrl, "--jdbc-user", LocalPostgres.USER, "--jdbc-password", LocalPostgres.PASSWORD,
            "--topic-prefix", prefix, "--partitions", "3"};

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = GenerateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("300 books, 60 students upserted").contains(prefix + "checkouts")
                .contains("checkout_created").contains("malformed by reason:").doesNotContain("Starting a local");

        try (Connection c = postgres.connect(database); Statement s = c.createStatement()) {
            assertThat(count(s, "SELECT count(*) FROM books")).isEqualTo(300);
            assertThat(count(s, "SELECT count(*) FROM students")).isEqualTo(60);
            assertThat(count(s, "SELECT count(*) FROM books WHERE description IS NULL")).isBetween(5L, 50L);
            assertThat(count(s, "SELECT count(*) FROM books WHERE cardinality(genres) >= 2")).isGreaterThan(50);
        }

        LibraryGenerator expected = LibraryGenerator.create(GeneratorOptions.builder().setBooks(300).setStudents(60)
                .setCheckouts(2000).setSeed(11).setMalformedFraction(0.02).setMaxRecordBytes(4096).build());
        for (EventTopic t : EventTopic.values()) {
            List<byte[]> values = new ArrayList<>();
            expected.records(t).forEach((GeneratedRecord r) -> values.add(r.value()));
            List<ConsumerRecord<byte[], byte[]>> written = kafka.readAll(prefix + t.defaultName(), values.size(),
                    Duration.ofSeconds(30));
            assertThat(written).hasSize(values.size());
            assertThat(kafka.admin().describeTopics(List.of(prefix + t.defaultName())).allTopicNames().get()
                    .get(prefix + t.defaultName()).partitions()).hasSize(3);
        }

        // the catalog load is idempotent: the same seed again leaves the same rows
        assertThat(GenerateCommand.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).isZero();
        try (Connection c = postgres.connect(database); Statement s = c.createStatement()) {
            assertThat(count(s, "SELECT count(*) FROM books")).isEqualTo(300);
        }
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
