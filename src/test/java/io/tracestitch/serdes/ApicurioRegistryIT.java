package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.Alert;
import io.tracestitch.avro.WorkflowGraph;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REGISTRY format against a real Apicurio Registry 2.6.13 (in-memory H2 storage), started
 * from the distribution that {@code mvn verify} unpacks into {@code <build dir>/apicurio}. That
 * release serves the Confluent API under {@code /apis/ccompat/v6} (deprecated) and {@code
 * /apis/ccompat/v7}; v7 is used.
 */
class ApicurioRegistryIT {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static Process registry;
  private static Path log;
  private static String baseUrl;

  @BeforeAll
  static void startRegistry() throws Exception {
    AvroTrust.trustGeneratedRecords();
    Path buildDir = Path.of(ApicurioRegistryIT.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI()).getParent();
    Path home = Path.of(System.getProperty("apicurio.home", buildDir.resolve("apicurio").toString()));
    Path runner = findRunner(home);
    int port = freeLoopbackPort();
    log = buildDir.resolve("apicurio-it.log");
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        // Start fast: the registry lives only for these few requests.
        "-XX:TieredStopAtLevel=1",
        "-Dquarkus.http.host=127.0.0.1",
        "-Dquarkus.http.port=" + port,
        "-jar", runner.toString());
    registry = new ProcessBuilder(command).directory(home.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(ApicurioRegistryIT::stopRegistry));
    try {
      awaitReady("http://127.0.0.1:" + port + "/health/ready");
    } catch (Throwable e) {
      stopRegistry();
      throw e;
    }
    baseUrl = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  @AfterAll
  static void stopRegistry() {
    Process process = registry;
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void workflowGraphRoundTripsThroughTheRegistry() throws Exception {
    assertRoundTrip(WorkflowGraph.class, SampleRecords.workflowGraph(), "it-workflow-graphs");
  }

  @Test
  void alertRoundTripsThroughTheRegistry() throws Exception {
    assertRoundTrip(Alert.class, SampleRecords.alert(), "it-trace-alerts");
  }

  @Test
  void withAutoRegisterOffTheRegisteredIdIsLookedUpAndAnUnknownSubjectIsRefused() {
    Alert alert = SampleRecords.alert();
    byte[] registered = configured(Alert.class, true).serializer().serialize("it-lookup", alert);
    RegistryAvroSerde<Alert> lookupOnly = configured(Alert.class, false);

    byte[] lookedUp = lookupOnly.serializer().serialize("it-lookup", alert);

    assertThat(lookedUp).isEqualTo(registered);
    assertThatThrownBy(() -> lookupOnly.serializer().serialize("it-never-registered", alert))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not registered under subject 'it-never-registered-value'");
  }

  @Test
  void aRecordWrittenWithAnOlderRegisteredSchemaReadsWithTheCurrentClass() throws Exception {
    Schema older = AvroSingleObjectSerdeTest.withoutField(WorkflowGraph.getClassSchema(), "mergedFrom");
    int olderId = SchemaRegistryClient.forUrl(baseUrl).register("it-older-value", older);
    WorkflowGraph graph = SampleRecords.workflowGraph();
    byte[] bytes = wireFormat(olderId, asGenericRecord(graph, older), older);

    WorkflowGraph decoded = configured(WorkflowGraph.class, true).deserializer().deserialize("it-older", bytes);

    assertThat(decoded.getMergedFrom()).isEmpty();
    assertThat(decoded.getNodes()).isEqualTo(graph.getNodes());
    assertThat(decoded.getFindings()).isEqualTo(graph.getFindings());
  }

  private static <T extends SpecificRecord> void assertRoundTrip(Class<T> type, T record, String topic)
      throws Exception {
    RegistryAvroSerde<T> writer = configured(type, true);

    byte[] bytes = writer.serializer().serialize(topic, record);

    JsonNode latest = get("/subjects/" + topic + "-value/versions/latest");
    assertThat(bytes[0]).as("magic byte").isZero();
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).as("schema id after the magic byte")
        .isEqualTo(latest.get("id").asInt());
    assertThat(SchemaNormalization.toParsingForm(new Schema.Parser().parse(latest.get("schema").asText())))
        .isEqualTo(SchemaNormalization.toParsingForm(record.getSchema()));
    assertThat(writer.deserializer().deserialize(topic, bytes)).isEqualTo(record);
    // A fresh serde has an empty cache, so it must fetch the writer schema by id.
    assertThat(configured(type, false).deserializer().deserialize(topic, bytes)).isEqualTo(record);
  }

  private static <T extends SpecificRecord> RegistryAvroSerde<T> configured(Class<T> type, boolean autoRegister) {
    RegistryAvroSerde<T> serde = new RegistryAvroSerde<>(type);
    serde.configure(Map.of(RegistryConfig.URL, baseUrl, RegistryConfig.AUTO_REGISTER, autoRegister), false);
    return serde;
  }

  private static JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s answered %s", path, response.body()).isEqualTo(200);
    return MAPPER.readTree(response.body());
  }

  private static byte[] wireFormat(int id, GenericRecord record, Schema schema) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema, GenericData.get()).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static GenericRecord asGenericRecord(SpecificRecord record, Schema target) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
    encoder.flush();
    return new GenericDatumReader<GenericRecord>(record.getSchema(), target)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }

  private static Path findRunner(Path home) throws IOException {
    // Surefire runs this class too when -Dtest overrides its *IT exclusion, in the test phase,
    // before pre-integration-test has unpacked the registry; failsafe, after it, always finds it.
    Assumptions.assumeTrue(Files.isDirectory(home), () -> "The Apicurio Registry distribution is"
        + " not at " + home + " yet; it runs under failsafe in 'mvn verify', whose"
        + " pre-integration-test phase unpacks it there, or with -Dapicurio.home set to an unpacked"
        + " apicurio-registry-app-2.6.13.Final-all.zip.");
    Path quarkusApp = home.resolve("quarkus-app/quarkus-run.jar");
    if (Files.isRegularFile(quarkusApp)) {
      return quarkusApp;
    }
    try (Stream<Path> files = Files.list(home)) {
      return files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("No *-runner.jar or quarkus-app/quarkus-run.jar"
              + " in " + home + "; the Apicurio distribution's layout changed, so adapt findRunner."));
    }
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitReady(String healthUrl) throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpRequest request = HttpRequest.newBuilder(URI.create(healthUrl))
        .timeout(Duration.ofSeconds(5)).GET().build();
    while (System.nanoTime() < deadline) {
      if (!registry.isAlive()) {
        throw new IllegalStateException("Apicurio Registry exited with code " + registry.exitValue()
            + " before it was ready; its output ends with:\n" + logTail());
      }
      try {
        if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (ConnectException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("Apicurio Registry was not ready at " + healthUrl + " within "
        + READY_TIMEOUT.toSeconds() + " s; its output ends with:\n" + logTail());
  }

  private static String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(could not read " + log + ": " + e.getMessage() + ")";
    }
  }
}
