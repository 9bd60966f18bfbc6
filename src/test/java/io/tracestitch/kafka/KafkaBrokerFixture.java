package io.tracestitch.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One real embedded Kafka broker per test JVM, shared by the integration tests, and the few client
 * helpers they all need.
 *
 * <p>The broker starts on the first call to {@link #shared()} (2–4 s in a fresh JVM) and stops in a
 * JVM shutdown hook, after which the temporary Streams state directories handed out by
 * {@link #streamsProperties} are deleted. Tests share the broker, so each uses its own topic names
 * and application ids.
 */
public final class KafkaBrokerFixture {

    private static final List<Path> STATE_DIRS = new CopyOnWriteArrayList<>();

    private KafkaBrokerFixture() {
    }

    /** The holder idiom starts the broker once, on first use, without explicit locking. */
    private static final class Holder {
        static final EmbeddedKafkaBroker BROKER = startWithShutdownHook();

        private static EmbeddedKafkaBroker startWithShutdownHook() {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(null);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                broker.close();
                STATE_DIRS.forEach(KafkaBrokerFixture::deleteRecursively);
            }, "kafka-broker-fixture-shutdown"));
            return broker;
        }
    }

    /** The broker shared by every test of this JVM; started on first use. */
    public static EmbeddedKafkaBroker shared() {
        return Holder.BROKER;
    }

    /**
     * Streams settings for a test application on the shared broker: a fresh temporary state directory,
     * commits every 100 ms so results show up quickly (and stay far below the transaction timeout
     * under exactly-once), and no record cache so every update is forwarded at once. The caller adds
     * serdes and the processing guarantee.
     */
    public static Properties streamsProperties(String appId) {
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("tracestitch-streams-" + appId + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary state directory for " + appId + ".", e);
        }
        STATE_DIRS.add(stateDir);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, shared().bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        return props;
    }

    /**
     * Sends the records to the shared broker and returns once every one is acknowledged.
     *
     * @param topic the topic every record must name: stating it at the call site keeps tests readable,
     *              and a record built for another topic is a bug in the test
     */
    public static void produce(String topic, List<ProducerRecord<byte[], byte[]>> records) {
        produce(shared(), topic, records);
    }

    /** {@link #produce(String, List)} on a broker of the test's own, such as one it restarts. */
    public static void produce(EmbeddedKafkaBroker broker, String topic, List<ProducerRecord<byte[], byte[]>> records) {
        for (ProducerRecord<byte[], byte[]> record : records) {
            if (!topic.equals(record.topic())) {
                throw new IllegalArgumentException("A record for topic '" + record.topic()
                        + "' was passed to produce(\"" + topic + "\", ...).");
            }
        }
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> record : records) {
                acks.add(producer.send(record));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("Could not produce " + records.size() + " records to topic '" + topic + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while producing to topic '" + topic + "'.", e);
        }
    }

    /**
     * Reads the topic from its beginning, without a consumer group, until at least
     * {@code expectedCount} records have arrived. Everything read so far is returned, so a surplus
     * (duplicates, for instance) stays visible to the caller.
     *
     * @param readCommitted {@code true} to see only records of committed transactions, as a downstream
     *                      consumer of an exactly-once application should
     * @throws AssertionError if fewer records arrive within the timeout
     */
    public static List<ConsumerRecord<byte[], byte[]>> consumeUntil(String topic, int expectedCount, Duration timeout,
                                                                    boolean readCommitted) {
        return consumeUntil(shared(), topic, expectedCount, timeout, readCommitted);
    }

    /** {@link #consumeUntil(String, int, Duration, boolean)} on a broker of the test's own. */
    public static List<ConsumerRecord<byte[], byte[]>> consumeUntil(EmbeddedKafkaBroker broker, String topic,
                                                                    int expectedCount, Duration timeout,
                                                                    boolean readCommitted) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                (readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED).toString(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = awaitPartitions(consumer, broker, topic, deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (received.size() < expectedCount && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(received::add);
            }
        }
        if (received.size() < expectedCount) {
            throw new AssertionError("Expected " + expectedCount + " records on topic '" + topic + "' ("
                    + (readCommitted ? "read_committed" : "read_uncommitted") + ") within " + timeout.toMillis()
                    + " ms but got only " + received.size() + ".");
        }
        return received;
    }

    /** An output topic may only appear once the application under test has started, so keep asking. */
    private static List<TopicPartition> awaitPartitions(KafkaConsumer<?, ?> consumer, EmbeddedKafkaBroker broker,
                                                        String topic, long deadline) {
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("Topic '" + topic + "' does not exist on the broker at "
                        + broker.bootstrapServers() + ".");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for topic '" + topic + "'.", e);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // A shutdown hook has no one left to report to; the OS cleans its temp folder eventually.
            System.err.println("Could not delete the temporary state directory " + dir + ": " + e);
        }
    }
}
