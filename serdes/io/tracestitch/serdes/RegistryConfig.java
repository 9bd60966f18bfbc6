package io.tracestitch.serdes;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.types.Password;

/**
 * Registry settings read from serde configuration under Confluent's key names, so a user's
 * existing {@code schema.registry.*} configuration works unchanged.
 *
 * @param urls the registry base URLs, tried in order when one cannot be reached
 * @param auth how to authenticate
 * @param trustStore the certificates to trust for https, when not the JDK's own
 * @param connectTimeout how long to wait for a connection
 * @param requestTimeout how long to wait for an answer
 * @param autoRegister whether the serializer registers a schema the subject does not have yet
 * @param keySubjects the subject naming for key schemas
 * @param valueSubjects the subject naming for value schemas
 */
public record RegistryConfig(
    List<URI> urls,
    RegistryAuth auth,
    Optional<TrustStore> trustStore,
    Duration connectTimeout,
    Duration requestTimeout,
    boolean autoRegister,
    SubjectNameStrategy keySubjects,
    SubjectNameStrategy valueSubjects) {

  public static final String URL = "schema.registry.url";
  public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
  public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String AUTO_REGISTER = "auto.register.schemas";
  public static final String KEY_SUBJECT_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_SUBJECT_STRATEGY = "value.subject.name.strategy";
  public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";

  public RegistryConfig {
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("No schema registry URL is set; set " + URL + ".");
    }
  }

  /**
   * Reads the settings from a Kafka serde configuration map.
   *
   * @throws IllegalArgumentException naming the key whose value is missing or wrong
   */
  public static RegistryConfig from(Map<String, ?> configs) {
    String urlList = text(configs, URL);
    if (urlList == null || urlList.isBlank()) {
      throw new IllegalArgumentException("The REGISTRY format needs the registry address: set " + URL
          + " (e.g. http://localhost:8081, or http://host:8080/apis/ccompat/v7 for Apicurio).");
    }
    List<URI> urls = new ArrayList<>();
    String urlUserInfo = null;
    for (String part : urlList.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      URI uri = parseUrl(part.strip());
      if (uri.getRawUserInfo() != null) {
        urlUserInfo = uri.getUserInfo();
        uri = withoutUserInfo(uri);
      }
      urls.add(uri);
    }
    return new RegistryConfig(
        urls,
        auth(configs, urlUserInfo),
        trustStore(configs),
        Duration.ofMillis(number(configs, CONNECT_TIMEOUT_MS, 10_000)),
        Duration.ofMillis(number(configs, READ_TIMEOUT_MS, 30_000)),
        autoRegister(configs, true),
        subjects(configs, true, SubjectNameStrategy.TOPIC),
        subjects(configs, false, SubjectNameStrategy.TOPIC));
  }

  /** The subject naming for keys or values. */
  public SubjectNameStrategy subjects(boolean isKey) {
    return isKey ? keySubjects : valueSubjects;
  }

  private static RegistryAuth auth(Map<String, ?> configs, String urlUserInfo) {
    String userInfo = text(configs, BASIC_AUTH_USER_INFO);
    if (userInfo == null) {
      userInfo = text(configs, REGISTRY_BASIC_AUTH_USER_INFO);
    }
    String token = text(configs, BEARER_AUTH_TOKEN);
    // Confluent's default source is URL, but a configured user info clearly means USER_INFO.
    String basicSource = upper(text(configs, BASIC_AUTH_SOURCE), userInfo != null ? "USER_INFO" : "URL");
    String basic;
    switch (basicSource) {
      case "USER_INFO":
        if (userInfo == null) {
          throw new IllegalArgumentException(BASIC_AUTH_SOURCE + " is USER_INFO but "
              + BASIC_AUTH_USER_INFO + " is not set; set it to user:password.");
        }
        basic = userInfo;
        break;
      case "URL":
        basic = urlUserInfo;
        break;
      default:
        throw new IllegalArgumentException(BASIC_AUTH_SOURCE + "=" + basicSource + " is not supported;"
            + " use USER_INFO with " + BASIC_AUTH_USER_INFO + ", or URL.");
    }
    String bearerSource = upper(text(configs, BEARER_AUTH_SOURCE), "STATIC_TOKEN");
    if (token != null && !bearerSource.equals("STATIC_TOKEN")) {
      throw new IllegalArgumentException(BEARER_AUTH_SOURCE + "=" + bearerSource + " is not supported;"
          + " fetch the token yourself and set it with " + BEARER_AUTH_TOKEN + ".");
    }
    if (basic != null && token != null) {
      throw new IllegalArgumentException("Both basic auth and " + BEARER_AUTH_TOKEN + " are set for the"
          + " schema registry; keep only the one the registry expects.");
    }
    if (token != null) {
      return RegistryAuth.bearer(token);
    }
    return basic != null ? RegistryAuth.basic(basic) : RegistryAuth.none();
  }

  private static Optional<TrustStore> trustStore(Map<String, ?> configs) {
    String location = text(configs, TRUSTSTORE_LOCATION);
    if (location == null || location.isBlank()) {
      return Optional.empty();
    }
    String type = text(configs, TRUSTSTORE_TYPE);
    return Optional.of(new TrustStore(Path.of(location), text(configs, TRUSTSTORE_PASSWORD),
        type == null || type.isBlank() ? TrustStore.DEFAULT_TYPE : type.strip()));
  }

  /** Reads {@value #AUTO_REGISTER}, keeping the fallback when it is not set. */
  static boolean autoRegister(Map<String, ?> configs, boolean fallback) {
    return bool(configs, AUTO_REGISTER, fallback);
  }

  /** Reads the key or value subject name strategy, keeping the fallback when it is not set. */
  static SubjectNameStrategy subjects(Map<String, ?> configs, boolean isKey, SubjectNameStrategy fallback) {
    Object value = configs.get(isKey ? KEY_SUBJECT_STRATEGY : VALUE_SUBJECT_STRATEGY);
    if (value == null) {
      return fallback;
    }
    String name = value instanceof Class ? ((Class<?>) value).getName() : value.toString();
    return SubjectNameStrategy.parse(name);
  }

  private static URI parseUrl(String text) {
    try {
      URI uri = new URI(text);
      if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
        throw new URISyntaxException(text, "the scheme must be http or https");
      }
      if (uri.getHost() == null) {
        throw new URISyntaxException(text, "there is no host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("The schema registry URL '" + text + "' in " + URL
          + " is not valid (" + e.getReason() + "); write it like http://host:8081.", e);
    }
  }

  private static URI withoutUserInfo(URI uri) {
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(),
          uri.getQuery(), uri.getFragment());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Dropping the user info cannot make a valid URL invalid.", e);
    }
  }

  private static String text(Map<String, ?> configs, String key) {
    Object value = configs.get(key);
    if (value == null) {
      return null;
    }
    // Kafka hands secrets over as Password so they never print; unwrap only here.
    return value instanceof Password ? ((Password) value).value() : value.toString();
  }

  private static String upper(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.strip().toUpperCase(Locale.ROOT);
  }

  private static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
    String value = text(configs, key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new IllegalArgumentException(key + " must be true or false, not '" + value + "'.");
    }
  }

  private static long number(Map<String, ?> configs, String key, long fallback) {
    String value = text(configs, key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.strip());
      if (parsed <= 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a positive number of milliseconds, not '"
          + value + "'.", e);
    }
  }
}
