package io.shelfstream.connectors.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.schemas.CatalogSql;

class LocalServicesITCase {

    @Test
    void kafkaBrokerRoundTripsRecordsOnAFreshTopic() {
        LocalKafka kafka = LocalServices.kafka();
        String topic = TestNames.fresh("roundtrip");
        kafka.createTopic(topic, 3);
        kafka.createTopic(topic, 3); // idempotent
        kafka.send(topic, "k1", "hello");
        kafka.send(topic, "k2", "world");

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, 2, Duration.ofSeconds(30));

        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("hello", "world");
    }

    @Test
    void postgresHoldsTheCatalogAndSurvivesARestart() throws Exception {
        LocalPostgres pg = LocalServices.postgres();
        String db = TestNames.fresh("catalog");
        pg.createDatabase(db);
        pg.execute(db, CatalogSql.ddl());
        pg.execute(db, CatalogSql.sampleData());
        pg.execute(db, CatalogSql.sampleData()); // idempotent

        pg.stop();
        assertThatThrownBy(() -> pg.execute(db, "SELECT 1")).hasMessageContaining("refused");
        pg.restart();

        try (Connection c = pg.connect(db);
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM books WHERE description IS NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        try (Connection c = pg.connect(db);
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM students")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
        try (Connection c = pg.connect(db);
                ResultSet rs = c.createStatement().executeQuery("SHOW max_prepared_transactions")) {
            rs.next();
            assertThat(Integer.parseInt(rs.getString(1))).isPositive();
        }
    }

    @Test
    void aRestartableKafkaBrokerKeepsItsAddressAndItsRecordsAcrossAStop() throws Exception {
        try (LocalKafka kafka = LocalKafka.startRestartable()) {
            String topic = TestNames.fresh("restart");
            kafka.createTopic(topic, 2);
            kafka.send(topic, "k1", "before");
            String address = kafka.bootstrapServers();

            kafka.stopBroker();
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, address);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k2", "while down")).get())
                        .as("a send while the broker is down").hasMessageContaining("not present in metadata");
            }
            kafka.startBroker();

            assertThat(kafka.bootstrapServers()).isEqualTo(address);
            kafka.send(topic, "k3", "after");
            assertThat(kafka.readAll(topic, 2, Duration.ofSeconds(30)))
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("before", "after");
        }
    }

    @Test
    void createDatabaseRejectsUnsafeNames() {
        assertThatThrownBy(() -> LocalServices.postgres().createDatabase("x; DROP DATABASE postgres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must match");
    }
}
