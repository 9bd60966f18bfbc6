package io.tracestitch.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.avro.Alert;
import io.tracestitch.serdes.RecordingHttpServer.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryClientTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Schema SCHEMA = Alert.getClassSchema();
  private static final String SCHEMA_REPLY =
      MAPPER.createObjectNode().put("schema", SCHEMA.toString()).toString();

  @TempDir static Path tls;

  @BeforeAll
  static void makeCertificates() throws Exception {
    // A self-signed certificate for 127.0.0.1, and a JKS trust store holding only it.
    keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
        "-keystore", tls.resolve("server.p12").toString(), "-storetype", "PKCS12",
        "-storepass", "server-pass", "-keypass", "server-pass");
    keytool("-exportcert", "-alias", "registry", "-rfc", "-file", tls.resolve("server.pem").toString(),
        "-keystore", tls.resolve("server.p12").toString(), "-storetype", "PKCS12",
        "-storepass", "server-pass");
    keytool("-importcert", "-noprompt", "-alias", "registry", "-file", tls.resolve("server.pem").toString(),
        "-keystore", tls.resolve("trust.jks").toString(), "-storetype", "JKS",
        "-storepass", "trust-pass");
  }

  @Test
  void registerPostsTheSchemaAsRegistryJsonAndCachesTheIdBothWays() throws Exception {
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(200, "{\"id\":7}"))) {
      SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url("http") + "/apis/ccompat/v7/");

      assertThat(client.register("trace alerts-value", SCHEMA)).isEqualTo(7);
      assertThat(client.register("trace alerts-value", SCHEMA)).isEqualTo(7);
      assertThat(client.schemaById(7)).isEqualTo(SCHEMA);

      assertThat(registry.requests()).singleElement().satisfies(request -> {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/apis/ccompat/v7/subjects/trace%20alerts-value/versions");
        assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.authorization()).isNull();
        String sent = MAPPER.readTree(request.body()).get("schema").asText();
        assertThat(new Schema.Parser().parse(sent)).isEqualTo(SCHEMA);
      });
    }
  }

  @Test
  void schemaByIdIsFetchedOnceAndParsed() throws Exception {
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(200, SCHEMA_REPLY))) {
      SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url("http"));

      assertThat(client.schemaById(42)).isEqualTo(SCHEMA);
      assertThat(client.schemaById(42)).isEqualTo(SCHEMA);

      assertThat(registry.requests()).singleElement().satisfies(request -> {
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/schemas/ids/42");
      });
    }
  }

  @Test
  void basicAuthSendsTheUserInfoAsABasicHeader() throws Exception {
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(200, SCHEMA_REPLY))) {
      client(Map.of(RegistryConfig.URL, registry.url("http"),
          RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO",
          RegistryConfig.BASIC_AUTH_USER_INFO, "svc:s3cret:with-colon")).schemaById(1);

      assertThat(registry.requests().get(0).authorization()).isEqualTo("Basic "
          + Base64.getEncoder().encodeToString("svc:s3cret:with-colon".getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void userInfoInTheUrlBecomesBasicAuth() throws Exception {
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(200, SCHEMA_REPLY))) {
      String url = registry.url("http").replace("://", "://svc:pw@");

      client(Map.of(RegistryConfig.URL, url)).schemaById(1);

      assertThat(registry.requests().get(0).authorization())
          .isEqualTo("Basic " + Base64.getEncoder().encodeToString("svc:pw".getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void bearerAuthSendsTheToken() throws Exception {
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(200, SCHEMA_REPLY))) {
      client(Map.of(RegistryConfig.URL, registry.url("http"),
          RegistryConfig.BEARER_AUTH_SOURCE, "STATIC_TOKEN",
          RegistryConfig.BEARER_AUTH_TOKEN, "eyJhbGciOi.token")).schemaById(1);

      assertThat(registry.requests().get(0).authorization()).isEqualTo("Bearer eyJhbGciOi.token");
    }
  }

  @Test
  void aRefusalNamesTheUrlTheStatusAndTheRegistrysMessage() throws Exception {
    String refusal = "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}";
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(409, refusal))) {
      SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url("http"));

      assertThatThrownBy(() -> client.register("orders-value", SCHEMA))
          .isInstanceOf(SchemaRegistryException.class)
          .hasMessageContaining(registry.url("http") + "/subjects/orders-value/versions")
          .hasMessageContaining("HTTP 409")
          .hasMessageContaining("Schema being registered is incompatible")
          .hasMessageContaining("compatibility rule")
          .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(409));
    }
  }

  @Test
  void aWrongAuthenticationSaysWhichSettingToCheck() throws Exception {
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(401, ""))) {
      SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url("http"));

      assertThatThrownBy(() -> client.schemaById(3))
          .isInstanceOf(SchemaRegistryException.class)
          .hasMessageContaining("HTTP 401: (no message)")
          .hasMessageContaining("basic.auth.user.info");
    }
  }

  @Test
  void idOfAnUnregisteredSchemaIsEmptyRatherThanAnError() throws Exception {
    String notFound = "{\"error_code\":40403,\"message\":\"Schema not found\"}";
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(404, notFound))) {
      SchemaRegistryClient client = SchemaRegistryClient.forUrl(registry.url("http"));

      assertThat(client.idOf("orders-value", SCHEMA)).isEmpty();
      assertThat(registry.requests().get(0).path()).isEqualTo("/subjects/orders-value");
    }
  }

  @Test
  void anUnreachableRegistryIsNamedWithTheSettingToCheck() throws Exception {
    SchemaRegistryClient client = SchemaRegistryClient.forUrl("http://127.0.0.1:" + closedPort());

    assertThatThrownBy(() -> client.schemaById(1))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Could not reach the schema registry at [http://127.0.0.1:")
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void theNextUrlIsTriedWhenOneCannotBeReached() throws Exception {
    try (RecordingHttpServer registry = RecordingHttpServer.http(request -> new Reply(200, SCHEMA_REPLY))) {
      SchemaRegistryClient client = SchemaRegistryClient.forUrl(
          "http://127.0.0.1:" + closedPort() + "," + registry.url("http"));

      assertThat(client.schemaById(5)).isEqualTo(SCHEMA);
    }
  }

  @Test
  void httpsWorksWithTheConfiguredTrustStoreAndFailsWithoutIt() throws Exception {
    try (RecordingHttpServer registry =
        RecordingHttpServer.https(serverContext(), request -> new Reply(200, SCHEMA_REPLY))) {
      Map<String, Object> config = new HashMap<>(Map.of(RegistryConfig.URL, registry.url("https")));
      SchemaRegistryClient untrusting = client(config);
      config.put(RegistryConfig.TRUSTSTORE_LOCATION, tls.resolve("trust.jks").toString());
      config.put(RegistryConfig.TRUSTSTORE_PASSWORD, "trust-pass");
      config.put(RegistryConfig.TRUSTSTORE_TYPE, "JKS");

      assertThat(client(config).schemaById(9)).isEqualTo(SCHEMA);
      assertThatThrownBy(() -> untrusting.schemaById(9))
          .isInstanceOf(SchemaRegistryException.class)
          .hasMessageContaining("Could not reach the schema registry");
    }
  }

  @Test
  void aWrongTrustStorePasswordIsReportedWithTheFile() {
    Map<String, Object> config = Map.of(RegistryConfig.URL, "https://127.0.0.1:1",
        RegistryConfig.TRUSTSTORE_LOCATION, tls.resolve("trust.jks").toString(),
        RegistryConfig.TRUSTSTORE_PASSWORD, "wrong");

    assertThatThrownBy(() -> client(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Could not load the schema registry trust store")
        .hasMessageContaining("trust.jks")
        .hasMessageNotContaining("wrong");
  }

  @Test
  void basicAndBearerTogetherAreRejected() {
    assertThatThrownBy(() -> RegistryConfig.from(Map.of(RegistryConfig.URL, "http://r:8081",
            RegistryConfig.BASIC_AUTH_USER_INFO, "u:p", RegistryConfig.BEARER_AUTH_TOKEN, "t")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Both basic auth and bearer.auth.token are set");
  }

  @Test
  void confluentSettingsAreReadUnderTheirConfluentNames() {
    RegistryConfig config = RegistryConfig.from(Map.of(
        RegistryConfig.URL, "http://a:8081, http://b:8081",
        RegistryConfig.AUTO_REGISTER, "false",
        RegistryConfig.VALUE_SUBJECT_STRATEGY, "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
        RegistryConfig.READ_TIMEOUT_MS, "1500"));

    assertThat(config.urls()).extracting(Object::toString).isEqualTo(List.of("http://a:8081", "http://b:8081"));
    assertThat(config.autoRegister()).isFalse();
    assertThat(config.subjects(false).subject("orders", false, SCHEMA))
        .isEqualTo("orders-io.tracestitch.avro.Alert");
    assertThat(config.subjects(true).subject("orders", true, SCHEMA)).isEqualTo("orders-key");
    assertThat(config.requestTimeout()).hasMillis(1500);
    assertThat(config.auth()).hasToString("none");
  }

  @Test
  void aMissingUrlSaysWhichSettingToSet() {
    assertThatThrownBy(() -> RegistryConfig.from(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set schema.registry.url");
  }

  private static SchemaRegistryClient client(Map<String, ?> config) {
    return new SchemaRegistryClient(RegistryConfig.from(config));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static SSLContext serverContext() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(tls.resolve("server.p12"))) {
      keys.load(in, "server-pass".toCharArray());
    }
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keys, "server-pass".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(factory.getKeyManagers(), null, null);
    return context;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
