package io.tracestitch.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real embedded broker: consumer groups, exactly-once Kafka Streams and restarts on a
 * persistent directory. Tests on the shared broker use topic names of their own.
 */
final class EmbeddedKafkaBrokerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldDeliverEveryRecordOfAThreePartitionTopicToAConsumerGroup() throws Exception {
        EmbeddedKafkaBroker broker = KafkaBrokerFixture.shared();
        String topic = "it-group-input";
        broker.createTopics(Map.of(topic, 3));
        // Creating it again must be harmless: the application creates its topics at every start.
        broker.createTopics(Map.of(topic, 3));
        List<ProducerRecord<byte[], byte[]>> sent = records(topic, 30);
        KafkaBrokerFixture.produce(topic, sent);

        List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-group",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(received::add);
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }

        assertThat(received).extracting(EmbeddedKafkaBrokerIT::valueOf)
                .containsExactlyInAnyOrderElementsOf(values(sent));
        assertThat(received).extracting(ConsumerRecord::partition)
                .as("30 distinct keys spread over all three partitions").containsOnly(0, 1, 2);
        try (Admin admin = adminOf(broker)) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("it-group").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum())
                    .as("offsets the group committed").isEqualTo(sent.size());
        }
    }

    @Test
    void shouldCopyRecordsExactlyOnceWithKafkaStreams() throws Exception {
        EmbeddedKafkaBroker broker = KafkaBrokerFixture.shared();
        String input = "it-eos-input";
        String output = "it-eos-output";
        broker.createTopics(Map.of(input, 3, output, 3));
        List<ProducerRecord<byte[], byte[]>> sent = records(input, 100);
        KafkaBrokerFixture.produce(input, sent);

        Properties props = KafkaBrokerFixture.streamsProperties("it-eos-copy");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        List<ConsumerRecord<byte[], byte[]>> copied;
        boolean closedInTime;
        try {
            streams.start();
            copied = KafkaBrokerFixture.consumeUntil(output, sent.size(), WAIT, true);
        } finally {
            // Streams goes before the broker: against a stopped broker its close would wait out every timeout.
            closedInTime = streams.close(Duration.ofSeconds(30));
        }

        assertThat(closedInTime).as("Kafka Streams closed within 30 s").isTrue();
        assertThat(copied).extracting(EmbeddedKafkaBrokerIT::valueOf)
                .as("each input record copied exactly once").containsExactlyInAnyOrderElementsOf(values(sent));
        // Each committed transaction leaves a commit marker in the log; without transactions the
        // output would end at exactly as many offsets as records.
        try (Admin admin = adminOf(broker)) {
            long endOffsets = 0;
            for (int partition = 0; partition < 3; partition++) {
                TopicPartition tp = new TopicPartition(output, partition);
                endOffsets += admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                        .partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            }
            assertThat(endOffsets).as("output offsets including transaction markers").isGreaterThan(sent.size());
        }
    }

    @Test
    void shouldKeepClusterTopicsRecordsAndOffsetsAcrossARestartOnTheSameDirectory(@TempDir Path dir) throws Exception {
        String topic = "it-restart";
        String firstBootstrap;
        String clusterId;
        TopicPartition partition0 = new TopicPartition(topic, 0);
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dir)) {
            firstBootstrap = first.bootstrapServers();
            first.createTopics(Map.of(topic, 3),
                    Map.of(topic, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            KafkaBrokerFixture.produce(first, topic, records(topic, 10));
            try (Admin admin = adminOf(first)) {
                clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
                admin.alterConsumerGroupOffsets("it-restart-group", Map.of(partition0, new OffsetAndMetadata(2)))
                        .all().get(30, TimeUnit.SECONDS);
            }
        }

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dir)) {
            assertThat(second.bootstrapServers()).as("ports reused while free").isEqualTo(firstBootstrap);
            assertThat(KafkaBrokerFixture.consumeUntil(second, topic, 10, WAIT, false))
                    .extracting(EmbeddedKafkaBrokerIT::valueOf).containsExactlyInAnyOrderElementsOf(values(records(topic, 10)));
            try (Admin admin = adminOf(second)) {
                assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                        .as("cluster id, which a second format would have replaced").isEqualTo(clusterId);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
                assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                        .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
                assertThat(admin.listConsumerGroupOffsets("it-restart-group").partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS)).containsEntry(partition0, new OffsetAndMetadata(2));
            }
        }
        assertThat(dir).as("a persistent directory outlives close").isDirectory();
    }

    @Test
    void shouldMoveToFreePortsAndKeepTheDataWhenTheOldPortIsTaken(@TempDir Path dir) throws Exception {
        String topic = "it-moved";
        String firstBootstrap;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dir)) {
            firstBootstrap = first.bootstrapServers();
            first.createTopics(Map.of(topic, 1));
            KafkaBrokerFixture.produce(first, topic, records(topic, 5));
        }
        int oldPort = Integer.parseInt(firstBootstrap.substring(firstBootstrap.lastIndexOf(':') + 1));
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), oldPort));
            try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dir)) {
                assertThat(second.bootstrapServers()).isNotEqualTo(firstBootstrap);
                assertThat(KafkaBrokerFixture.consumeUntil(second, topic, 5, WAIT, false))
                        .extracting(EmbeddedKafkaBrokerIT::valueOf)
                        .containsExactlyInAnyOrderElementsOf(values(records(topic, 5)));
            }
        }
    }

    @Test
    void shouldDeleteItsTemporaryDirectoryOnCloseAndIgnoreASecondClose() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(null);
        Path dataDir = broker.dataDir();
        assertThat(dataDir.resolve("kafka-logs").resolve("meta.properties")).isRegularFile();

        broker.close();
        broker.close();

        assertThat(Files.exists(dataDir)).as("temporary data directory deleted").isFalse();
        assertThatThrownBy(() -> broker.createTopics(Map.of("too-late", 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    }

    private static List<ProducerRecord<byte[], byte[]>> records(String topic, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new ProducerRecord<>(topic, bytes("key-" + i), bytes("value-" + i)))
                .toList();
    }

    private static Set<String> values(List<ProducerRecord<byte[], byte[]>> records) {
        Set<String> values = new TreeSet<>();
        records.forEach(record -> values.add(new String(record.value(), StandardCharsets.UTF_8)));
        return values;
    }

    private static String valueOf(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Admin adminOf(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
