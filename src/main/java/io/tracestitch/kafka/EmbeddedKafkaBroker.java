package io.tracestitch.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running inside this
 * JVM: the embedded default of tracestitch when no Kafka address is configured, and the broker of the
 * integration tests.
 *
 * <p>It runs the same classes as {@code kafka-storage.sh format} and {@code kafka-server-start.sh}.
 * The settings are tuned for one node on a small machine (see {@link #brokerProperties}); they are
 * meant for trying tracestitch out, not for production.
 *
 * <p>Layout of the data directory: {@code server.properties} (rewritten at each start) and
 * {@code kafka-logs/} (the log directory, which also holds the KRaft metadata log). A persistent data
 * directory keeps topics, records and committed offsets across restarts.
 *
 * <p>Topics are not created automatically ({@code auto.create.topics.enable=false}): the application
 * and the tests create theirs with {@link #createTopics}, with the intended partition counts and
 * configs, so a misspelt topic name fails loudly instead of silently creating a one-partition topic.
 * Kafka Streams creates its own internal topics through the admin API, which is unaffected.
 *
 * <p>Lifecycle: {@link #start} returns a broker that already answers clients; {@link #createTopics} may
 * be called from any thread until {@link #close}, which is idempotent and safe to call from a shutdown
 * hook while another thread calls it too.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String PROXIED_LISTENER = "PROXIED";
    private static final String SERVER_PROPERTIES = "server.properties";
    private static final String LOG_DIR = "kafka-logs";
    private static final String META_PROPERTIES = "meta.properties";

    /** A fresh JVM takes 2–4 s here; a long bound still gives a loaded CI machine room. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** A freshly picked free port can be taken by someone else before the broker binds it. */
    private static final int BIND_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Admin admin;
    private final String bootstrapServers;
    private final Path dataDir;
    private final boolean temporary;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final int proxiedListenerPort;

    private EmbeddedKafkaBroker(KafkaRaftServer server, Admin admin, String bootstrapServers,
                                Path dataDir, boolean temporary, int proxiedListenerPort) {
        this.proxiedListenerPort = proxiedListenerPort;
        this.server = server;
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.temporary = temporary;
    }

    /**
     * Starts a broker and returns once it answers clients.
     *
     * @param dataDir where topics and the broker's state are kept; {@code null} for a temporary
     *                directory deleted by {@link #close}. An existing directory written by an earlier
     *                start is reused as is: the same cluster, the same data, the same ports if they are
     *                still free (new ones otherwise).
     * @throws IllegalStateException if the broker does not start or does not answer within 60 s
     */
    public static EmbeddedKafkaBroker start(Path dataDir) {
        return start(dataDir, 0);
    }

    /**
     * Starts a broker with a second client listener, on {@link #proxiedListenerPort()}, that advertises itself as
     * {@code 127.0.0.1:advertisedPort}: where a test puts a TCP proxy in front of it. A broker answers metadata
     * with the addresses of the listener the request came in on, so clients that bootstrap through the proxy keep
     * going through it (and lose the broker when the proxy cuts them off), while clients of
     * {@link #bootstrapServers()} reach it directly.
     */
    public static EmbeddedKafkaBroker startBehindProxy(Path dataDir, int advertisedPort) {
        if (advertisedPort <= 0) {
            throw new IllegalArgumentException("The proxy's port must be given, not " + advertisedPort + ".");
        }
        return start(dataDir, advertisedPort);
    }

    private static EmbeddedKafkaBroker start(Path dataDir, int advertisedProxyPort) {
        long startNanos = System.nanoTime();
        boolean temporary = dataDir == null;
        Path dir;
        try {
            dir = temporary
                    ? Files.createTempDirectory("tracestitch-kafka-")
                    : Files.createDirectories(dataDir).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the data directory " + dataDir
                    + " of the embedded Kafka broker.", e);
        }
        try {
            EmbeddedKafkaBroker broker = startIn(dir, temporary, advertisedProxyPort);
            LOG.info("Started an embedded single-node Kafka broker (KRaft) at {} with data in {} — "
                    + "for trying tracestitch out, not for production.", broker.bootstrapServers, dir);
            LOG.debug("The embedded Kafka broker took {} ms to start.",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return broker;
        } catch (RuntimeException | Error e) {
            if (temporary) {
                deleteQuietly(dir);
            }
            throw e;
        }
    }

    private static EmbeddedKafkaBroker startIn(Path dir, boolean temporary, int advertisedProxyPort) {
        Path propertiesFile = dir.resolve(SERVER_PROPERTIES);
        Ports previous = Ports.readFrom(propertiesFile);
        Ports ports = previous != null && previous.areFree() ? previous : Ports.pickFree();
        for (int attempt = 1; ; attempt++) {
            int proxied = advertisedProxyPort > 0 ? Ports.pickFree().broker() : 0;
            Properties props = brokerProperties(dir.resolve(LOG_DIR), ports);
            if (proxied > 0) {
                props.setProperty("listeners", props.getProperty("listeners") + "," + PROXIED_LISTENER + "://" + HOST
                        + ":" + proxied);
                props.setProperty("advertised.listeners", props.getProperty("advertised.listeners") + ","
                        + PROXIED_LISTENER + "://" + HOST + ":" + advertisedProxyPort);
                props.setProperty("listener.security.protocol.map", props.getProperty("listener.security.protocol.map")
                        + "," + PROXIED_LISTENER + ":PLAINTEXT");
            }
            writeProperties(props, propertiesFile);
            formatIfNeeded(dir.resolve(LOG_DIR), propertiesFile);
            try {
                return startServer(props, dir, temporary, ports, proxied);
            } catch (Exception e) {
                // Only a port race is worth another try; anything else would fail the same way again.
                boolean portRace = causedBy(e, BindException.class) && attempt < BIND_ATTEMPTS;
                if (!portRace) {
                    throw new IllegalStateException("Could not start the embedded Kafka broker with data in "
                            + dir + " (listeners " + props.getProperty("listeners") + "): " + e.getMessage(), e);
                }
                LOG.warn("A port of the embedded Kafka broker ({}) was taken before the broker could bind it; "
                        + "trying again with other ports.", props.getProperty("listeners"));
                ports = Ports.pickFree();
            }
        }
    }

    private static EmbeddedKafkaBroker startServer(Properties props, Path dir, boolean temporary, Ports ports,
                                                   int proxiedListenerPort) {
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        String bootstrap = HOST + ":" + ports.broker();
        Admin admin = null;
        try {
            server.startup();
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.CLIENT_ID_CONFIG, "tracestitch-embedded-broker-admin",
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()));
            awaitAnswering(admin, bootstrap);
            return new EmbeddedKafkaBroker(server, admin, bootstrap, dir, temporary, proxiedListenerPort);
        } catch (Throwable e) {
            // Throwable, because Scala code may throw checked exceptions it does not declare.
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            shutdownQuietly(server);
            throw e;
        }
    }

    /**
     * The broker only counts as started once it is registered, unfenced and listed by the cluster
     * metadata: before that, creating a topic fails with "0 brokers registered".
     */
    private static void awaitAnswering(Admin admin, String bootstrap) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                        .nodes().get(10, TimeUnit.SECONDS);
                if (nodes.stream().anyMatch(node -> node.id() == NODE_ID)) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the embedded Kafka broker at "
                        + bootstrap + " to answer.", e);
            }
            sleep(100);
        }
        throw new IllegalStateException("The embedded Kafka broker at " + bootstrap + " did not answer within "
                + READY_TIMEOUT.toSeconds() + " s" + (last == null ? "." : ": " + last.getMessage()), last);
    }

    /**
     * The settings of one combined broker and controller. Each one departing from Kafka's defaults is
     * there because a single node otherwise hangs, crawls or wastes memory (measured in KAFKA-HERE.md).
     */
    private static Properties brokerProperties(Path logDir, Ports ports) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(NODE_ID));
        // A static quorum of one: the node votes for itself, and formatting needs no initial controllers.
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + ports.controller());
        p.setProperty("listeners", BROKER_LISTENER + "://" + HOST + ":" + ports.broker() + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + ports.controller());
        p.setProperty("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + ports.broker());
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("inter.broker.listener.name", BROKER_LISTENER);
        p.setProperty("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());

        // Internal topics default to 3 replicas: on one node every consumer group and every
        // exactly-once producer would wait forever for replicas that cannot exist.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        // 50 partitions each by default: loading them all delays the first group and first transaction.
        p.setProperty("offsets.topic.num.partitions", "3");
        p.setProperty("transaction.state.log.num.partitions", "3");
        p.setProperty("share.coordinator.state.topic.num.partitions", "3");
        // The default 3 s wait for more members only slows every Streams start and every test.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Topics are created on purpose, see the class comment.
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.partitions", "1");

        // The default dedupe buffer takes 128 MB of heap; 4 MB still maps ~150k keys per cleaning pass.
        p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        p.setProperty("log.cleaner.threads", "1");
        // Small segments let compaction of changelogs (which never touches the active segment) and
        // retention work on trial-sized data; 1 MB offset indexes still cover a 16 MB segment.
        p.setProperty("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.setProperty("log.index.size.max.bytes", String.valueOf(1024 * 1024));
        p.setProperty("offsets.topic.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.setProperty("transaction.state.log.segment.bytes", String.valueOf(16 * 1024 * 1024));

        // Thread pools sized for a laptop or a 2-core CI machine rather than a dedicated server.
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("num.recovery.threads.per.data.dir", "1");
        return p;
    }

    /**
     * Formats the log directory once. A second format would write a new cluster id and make the
     * existing data unusable, so an existing {@code meta.properties} is always kept.
     */
    private static void formatIfNeeded(Path logDir, Path propertiesFile) {
        if (Files.exists(logDir.resolve(META_PROPERTIES))) {
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", propertiesFile.toString()}, out);
        } catch (Exception e) {
            // Scala code may throw checked exceptions (an IOException, say) without declaring them.
            throw new IllegalStateException("Could not format the log directory " + logDir
                    + " of the embedded Kafka broker: " + e.getMessage(), e);
        }
        String printed = output.toString(StandardCharsets.UTF_8).strip();
        if (exitCode != 0) {
            throw new IllegalStateException("Could not format the log directory " + logDir
                    + " of the embedded Kafka broker (exit code " + exitCode + "): " + printed);
        }
        LOG.debug("Formatted {} for cluster {}: {}", logDir, clusterId, printed);
    }

    /** The address clients connect to, {@code host:port}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The port of the listener a proxy forwards to ({@link #startBehindProxy}); 0 when there is none. */
    public int proxiedListenerPort() {
        return proxiedListenerPort;
    }

    /** Where the broker keeps its data: the directory given to {@link #start}, or its temporary one. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates topics with one replica and the broker's default configs; topics that already exist are
     * left as they are (whatever their partition count). Returns once every partition has a leader,
     * so clients can write at once.
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        createTopics(partitionsByTopic, Map.of());
    }

    /**
     * Creates topics with one replica and the given topic configs (for example
     * {@code cleanup.policy=compact}); topics without an entry in {@code configsByTopic} get the
     * broker's defaults. Topics that already exist are left as they are, configs included.
     *
     * @throws IllegalStateException if the broker rejects a topic or does not answer within 30 s
     */
    public void createTopics(Map<String, Integer> partitionsByTopic, Map<String, Map<String, String>> configsByTopic) {
        ensureOpen();
        for (String topic : configsByTopic.keySet()) {
            if (!partitionsByTopic.containsKey(topic)) {
                throw new IllegalArgumentException("Configs were given for topic '" + topic
                        + "' but no partition count; add it to partitionsByTopic.");
            }
        }
        List<NewTopic> newTopics = new ArrayList<>();
        partitionsByTopic.forEach((topic, partitions) -> newTopics.add(
                new NewTopic(topic, partitions, (short) 1).configs(configsByTopic.getOrDefault(topic, Map.of()))));
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics,
                new CreateTopicsOptions().timeoutMs((int) ADMIN_TIMEOUT.toMillis())).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Could not create topic '" + result.getKey()
                            + "' on the embedded Kafka broker at " + bootstrapServers + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("Creating topic '" + result.getKey() + "' on the embedded Kafka broker at "
                        + bootstrapServers + " did not complete within " + ADMIN_TIMEOUT.toSeconds() + " s.", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topic '" + result.getKey() + "'.", e);
            }
        }
        awaitLeaders(partitionsByTopic.keySet());
    }

    /**
     * The controller acknowledges a new topic before the broker has taken up leadership of its
     * partitions, and the broker lists a leader in its metadata a moment before its replica manager
     * acts as one: a client writing in between gets NOT_LEADER_OR_FOLLOWER and retries with a warning.
     * Reading the end offset of every partition only succeeds once the leader really serves it.
     */
    private void awaitLeaders(Collection<String> topics) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean led = descriptions.values().stream()
                        .flatMap(description -> description.partitions().stream())
                        .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
                if (led) {
                    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                    descriptions.values().forEach(description -> description.partitions().forEach(partition ->
                            ends.put(new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest())));
                    // The admin client retries NOT_LEADER_OR_FOLLOWER itself until its timeout.
                    admin.listOffsets(ends).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // A topic just created may still be unknown to the broker's metadata: ask again.
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for topics " + topics + ".", e);
            }
            sleep(20);
        }
        throw new IllegalStateException("The partitions of topics " + topics + " on the embedded Kafka broker at "
                + bootstrapServers + " got no leader within " + ADMIN_TIMEOUT.toSeconds() + " s"
                + (last == null ? "." : ": " + last.getMessage()), last);
    }

    /**
     * Stops the broker and waits until it has stopped; deletes the data directory if it was temporary.
     * Close every client (Kafka Streams included) first: clients of a stopped broker retry until
     * their own timeouts. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            try {
                server.shutdown();
                server.awaitShutdown();
            } finally {
                if (temporary) {
                    deleteQuietly(dataDir);
                }
            }
        }
        LOG.info("Stopped the embedded Kafka broker at {}.", bootstrapServers);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("The embedded Kafka broker at " + bootstrapServers + " is closed.");
        }
    }

    private static void writeProperties(Properties props, Path file) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, "Written by tracestitch's embedded Kafka broker at each start; edits are overwritten.");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file + " for the embedded Kafka broker.", e);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Could not stop the partly started embedded Kafka broker cleanly.", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete the temporary directory {} of the embedded Kafka broker.", dir, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded Kafka broker.", e);
        }
    }

    /** The two loopback ports of the node: clients talk to {@code broker}, the KRaft quorum to {@code controller}. */
    private record Ports(int broker, int controller) {

        /** Null if there is no earlier server.properties or it names no usable ports. */
        static Ports readFrom(Path propertiesFile) {
            if (!Files.exists(propertiesFile)) {
                return null;
            }
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException e) {
                LOG.warn("Could not read the earlier {}; the embedded Kafka broker picks new ports.", propertiesFile, e);
                return null;
            }
            int broker = portOf(props.getProperty("listeners", ""), BROKER_LISTENER);
            int controller = portOf(props.getProperty("listeners", ""), CONTROLLER_LISTENER);
            return broker > 0 && controller > 0 && broker != controller ? new Ports(broker, controller) : null;
        }

        private static int portOf(String listeners, String name) {
            String prefix = name + "://";
            for (String listener : listeners.split(",")) {
                String trimmed = listener.trim();
                int colon = trimmed.lastIndexOf(':');
                if (trimmed.startsWith(prefix) && colon > prefix.length()) {
                    try {
                        return Integer.parseInt(trimmed.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
            return -1;
        }

        /** Two distinct ports the operating system considers free now; the broker binds them moments later. */
        static Ports pickFree() {
            try (ServerSocket broker = bindLoopback(0); ServerSocket controller = bindLoopback(0)) {
                return new Ports(broker.getLocalPort(), controller.getLocalPort());
            } catch (IOException e) {
                throw new UncheckedIOException("Could not find free loopback ports for the embedded Kafka broker.", e);
            }
        }

        boolean areFree() {
            return isFree(broker) && isFree(controller);
        }

        private static boolean isFree(int port) {
            try {
                bindLoopback(port).close();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** Binds like Kafka's acceptor does (address reuse on), so a port in TIME_WAIT still counts as free. */
        private static ServerSocket bindLoopback(int port) throws IOException {
            ServerSocket socket = new ServerSocket();
            try {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }
    }
}
