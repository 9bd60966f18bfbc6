package io.tracestitch.serdes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A small client for the Confluent Schema Registry REST API, which Confluent's registry,
 * Redpanda, Karapace and Apicurio ({@code /apis/ccompat/v7}) all serve. It knows the three calls
 * a serde needs and caches their answers both ways, so each schema costs one request per process.
 *
 * <p>Thread-safe. Base URLs are tried in order; the next one is used only when a registry cannot
 * be reached, never when it answers with an error.
 */
public final class SchemaRegistryClient {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> baseUrls;
  private final RegistryAuth auth;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final Map<SubjectSchema, Integer> idsBySchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  /** A client for the registry the configuration describes. */
  public SchemaRegistryClient(RegistryConfig config) {
    this.baseUrls = config.urls();
    this.auth = config.auth();
    this.requestTimeout = config.requestTimeout();
    HttpClient.Builder builder = HttpClient.newBuilder()
        // Plain HTTP/1.1: some registries mishandle the h2c upgrade the JDK would try first.
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout());
    config.trustStore().ifPresent(store -> builder.sslContext(store.sslContext()));
    this.http = builder.build();
  }

  /** A client for one registry URL, without authentication. */
  public static SchemaRegistryClient forUrl(String url) {
    return new SchemaRegistryClient(RegistryConfig.from(Map.of(RegistryConfig.URL, url)));
  }

  /**
   * Registers the schema under the subject, or finds it when the subject already has it, and
   * returns its global id.
   *
   * @throws SchemaRegistryException when the registry refuses (e.g. an incompatible schema)
   */
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
    int id = requireId(answer, "POST /subjects/" + subject + "/versions");
    remember(key, id);
    return id;
  }

  /**
   * The id of a schema the subject already has, without registering it.
   *
   * @return the id, or empty when the subject or the schema is not registered
   * @throws SchemaRegistryException for any other refusal
   */
  public Optional<Integer> idOf(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySchema.get(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    JsonNode answer;
    try {
      answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
          || e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
    int id = requireId(answer, "POST /subjects/" + subject);
    remember(key, id);
    return Optional.of(id);
  }

  /**
   * The schema with the given global id.
   *
   * @throws SchemaRegistryException when the id is unknown or is not a self-contained Avro schema
   */
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("GET", "/schemas/ids/" + id, null);
    String type = answer.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      throw new SchemaRegistryException("Schema id " + id + " in the registry at " + baseUrls.get(0)
          + " is a " + type + " schema, not Avro; the topic was written with another format.",
          200, 0, null);
    }
    String text = answer.path("schema").asText(null);
    if (text == null) {
      throw new SchemaRegistryException("The registry at " + baseUrls.get(0) + " answered GET"
          + " /schemas/ids/" + id + " without a 'schema' field; is the URL the Confluent-compatible"
          + " API?", 200, 0, null);
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException("Schema id " + id + " in the registry at " + baseUrls.get(0)
          + " is not a self-contained Avro schema (" + e.getMessage() + "); schema references are"
          + " not supported.", 200, 0, e);
    }
    Schema previous = schemasById.putIfAbsent(id, schema);
    return previous != null ? previous : schema;
  }

  private void remember(SubjectSchema key, int id) {
    idsBySchema.putIfAbsent(key, id);
    schemasById.putIfAbsent(id, key.schema());
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static String encode(String subject) {
    // URLEncoder is for forms: it writes a space as '+', which a path segment reads literally.
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private int requireId(JsonNode answer, String call) {
    JsonNode id = answer.get("id");
    if (id == null || !id.canConvertToInt()) {
      throw new SchemaRegistryException("The registry at " + baseUrls.get(0) + " answered " + call
          + " without a numeric 'id' (" + abbreviate(answer.toString()) + "); is the URL the"
          + " Confluent-compatible API?", 200, 0, null);
    }
    return id.intValue();
  }

  private JsonNode send(String method, String path, String body) {
    IOException unreachable = null;
    for (URI base : baseUrls) {
      URI uri = URI.create(stripSlash(base.toString()) + path);
      HttpRequest.Builder request = HttpRequest.newBuilder(uri)
          .timeout(requestTimeout)
          .header("Accept", ACCEPT);
      auth.authorizationHeader().ifPresent(value -> request.header("Authorization", value));
      if (body == null) {
        request.GET();
      } else {
        request.header("Content-Type", CONTENT_TYPE)
            .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      }
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        unreachable = e;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException("Interrupted while waiting for the schema registry at "
            + uri + ".", 0, 0, e);
      }
      if (response.statusCode() / 100 != 2) {
        throw refusal(method, uri, response);
      }
      try {
        return JSON.readTree(response.body());
      } catch (JsonProcessingException e) {
        throw new SchemaRegistryException("The registry at " + uri + " answered " + method + " with"
            + " HTTP " + response.statusCode() + " but not with JSON (" + abbreviate(response.body())
            + "); is " + RegistryConfig.URL + " the Confluent-compatible API?",
            response.statusCode(), 0, e);
      }
    }
    throw new SchemaRegistryException("Could not reach the schema registry at " + baseUrls + ": "
        + describe(unreachable) + "; check " + RegistryConfig.URL + " and that the registry is"
        + " running.", 0, 0, unreachable);
  }

  private static SchemaRegistryException refusal(String method, URI uri, HttpResponse<String> response) {
    int status = response.statusCode();
    int errorCode = 0;
    String explanation = abbreviate(response.body());
    try {
      JsonNode error = JSON.readTree(response.body());
      if (error != null && error.isObject()) {
        errorCode = error.path("error_code").asInt(0);
        explanation = error.path("message").asText(explanation);
      }
    } catch (JsonProcessingException e) {
      // Not JSON (a proxy's HTML page, say): the raw body is the best explanation there is.
    }
    String hint;
    if (status == 401 || status == 403) {
      hint = " Check " + RegistryConfig.BASIC_AUTH_USER_INFO + " or " + RegistryConfig.BEARER_AUTH_TOKEN + ".";
    } else if (status == 409) {
      hint = " The subject's compatibility rule rejected this schema; evolve it compatibly or change"
          + " the rule.";
    } else if (status == 404 && errorCode == 0) {
      hint = " Check that " + RegistryConfig.URL + " points at the Confluent-compatible API (for"
          + " Apicurio: http://host:port/apis/ccompat/v7).";
    } else {
      hint = "";
    }
    return new SchemaRegistryException("The schema registry at " + uri + " refused " + method
        + " with HTTP " + status + ": " + (explanation.isBlank() ? "(no message)" : explanation)
        + (errorCode != 0 ? " (error code " + errorCode + ")." : ".") + hint, status, errorCode, null);
  }

  private static String describe(IOException e) {
    // The JDK's HTTP client leaves most of these without a message of their own.
    if (e instanceof HttpConnectTimeoutException) {
      return "the connection timed out (" + RegistryConfig.CONNECT_TIMEOUT_MS + ")";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer came in time (" + RegistryConfig.READ_TIMEOUT_MS + ")";
    }
    if (e instanceof ConnectException) {
      return "the connection was refused";
    }
    if (e instanceof SSLException) {
      return "the TLS handshake failed (" + e.getMessage() + "); is the registry's certificate in"
          + " the trust store set by " + RegistryConfig.TRUSTSTORE_LOCATION + "?";
    }
    return e.toString();
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String abbreviate(String text) {
    String flat = text == null ? "" : text.strip().replaceAll("\\s+", " ");
    return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
  }

  /** A cache key: a schema registered under one subject is not thereby registered under another. */
  private record SubjectSchema(String subject, Schema schema) {}
}
