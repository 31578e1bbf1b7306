package io.shelfstream.connectors.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import kafka.server.BrokerServer;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft, one combined controller + broker node) running inside this JVM.
 *
 * <p>Backs the tests and the local demo; production uses a real cluster. The node is configured for a
 * single-broker cluster (replication factor 1 for internal topics, transactions enabled) so Flink's
 * exactly-once Kafka source and sink work against it.
 *
 * <pre>{@code
 * try (LocalKafka kafka = LocalKafka.start()) {
 *     kafka.createTopic("books", 2);
 *     kafka.send("books", "b-1", "{...}");
 * }
 * }</pre>
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    /**
     * An in-process broker must not end the process it runs in: Kafka's server code exits or halts the JVM on some
     * fatal errors (seen here while a stopped and restarted broker shut down at the end of a test JVM, which then
     * exited with status 254 after all its tests had passed). Log them instead; the broker's clients see the
     * failure.
     */
    private static void keepTheJvmOnFatalBrokerErrors() {
        org.apache.kafka.common.utils.Exit.setExitProcedure((status, message) ->
                LOG.error("Kafka asked to exit the JVM with status {} ({}); ignored by the in-process broker", status,
                        message));
        org.apache.kafka.common.utils.Exit.setHaltProcedure((status, message) ->
                LOG.error("Kafka asked to halt the JVM with status {} ({}); ignored by the in-process broker", status,
                        message));
    }

    private LocalKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
    }

    /** Formats and starts a fresh single-node KRaft cluster in temporary directories. */
    public static LocalKafka start() {
        return start(0);
    }

    /**
     * Formats and starts a fresh single-node KRaft cluster whose broker listens on a port that stays the same when
     * the broker is stopped and started again ({@link #stopBroker()}, {@link #startBroker()}), so clients that know
     * the bootstrap address reconnect by themselves. Use one of these per test that stops its broker, never the
     * broker other tests share.
     */
    public static LocalKafka startRestartable() {
        return start(freePort());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port for a local Kafka broker", e);
        }
    }

    /** @param brokerPort the broker's port, 0 for any free one (then it changes if the broker is restarted) */
    private static LocalKafka start(int brokerPort) {
        keepTheJvmOnFatalBrokerErrors();
        long started = System.nanoTime();
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    // the test kit's default, with the broker's port fixed when asked for (it binds port 0 else)
                    .setConfigProp("listeners",
                            "EXTERNAL://localhost:" + brokerPort + ",CONTROLLER://localhost:0")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    // Flink's exactly-once Kafka sink keeps transactions open for a checkpoint interval or more.
                    .setConfigProp("transaction.max.timeout.ms", "900000")
                    .setConfigProp("message.max.bytes", String.valueOf(8 * 1024 * 1024))
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            LocalKafka kafka = new LocalKafka(cluster);
            LOG.info("Local Kafka broker ready at {} in {} ms",
                    kafka.bootstrapServers, (System.nanoTime() - started) / 1_000_000);
            return kafka;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting the local Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the local Kafka broker: " + e.getMessage(), e);
        }
    }

    /** The {@code bootstrap.servers} value for clients of this broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates a topic (idempotent: an existing topic is left as it is). */
    public void createTopic(String topic, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create topic " + topic + ": " + e.getCause(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + topic, e);
        }
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(props);
    }

    /** A string producer with idempotence on; the caller closes it. */
    public KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    /** Sends one record and waits for its acknowledgement. */
    public void send(String topic, String key, String value) {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not write to " + topic + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while writing to " + topic, e);
        }
    }

    /**
     * Reads every committed record of a topic from the beginning, waiting up to {@code timeout} for at least
     * {@code atLeast} records (read_committed, so aborted transactional writes are not seen).
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            Collection<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (records.size() >= atLeast && caughtUp(consumer, partitions)) {
                    break;
                }
            }
        }
        return records;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
    }

    /** The underlying cluster. */
    public KafkaClusterTestKit cluster() {
        return cluster;
    }

    /**
     * Shuts the broker down (the KRaft controller of the node keeps running): clients see connections refused until
     * {@link #startBroker()}. Its logs, committed offsets and transaction state stay on disk.
     */
    public synchronized void stopBroker() {
        long started = System.nanoTime();
        for (BrokerServer broker : cluster.brokers().values()) {
            broker.shutdown();
            broker.awaitShutdown();
        }
        LOG.info("Local Kafka broker stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Starts the broker again after {@link #stopBroker()}, on the same port and log directories, and waits until it
     * is registered with the controller. Only a broker from {@link #startRestartable()} keeps its address.
     */
    public synchronized void startBroker() {
        long started = System.nanoTime();
        try {
            for (BrokerServer broker : cluster.brokers().values()) {
                broker.startup();
            }
            cluster.waitForReadyBrokers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while restarting the local Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("Could not restart the local Kafka broker: " + e.getMessage(), e);
        }
        for (BrokerServer broker : cluster.brokers().values()) {
            int port = broker.boundPort(cluster.nodes().externalListenerName());
            if (!bootstrapServers.endsWith(":" + port)) {
                throw new IllegalStateException("The restarted broker listens on port " + port + ", not at "
                        + bootstrapServers + ": start it with LocalKafka.startRestartable()");
            }
        }
        LOG.info("Local Kafka broker restarted at {} in {} ms", bootstrapServers,
                (System.nanoTime() - started) / 1_000_000);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.warn("Error while stopping the local Kafka broker", e);
        }
    }
}
