package io.tracestitch.serdes;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** How the registry client proves who it is: nothing, HTTP basic, or a static bearer token. */
public final class RegistryAuth {

  private static final RegistryAuth NONE = new RegistryAuth(null, "none");

  private final String authorization;
  private final String description;

  private RegistryAuth(String authorization, String description) {
    this.authorization = authorization;
    this.description = description;
  }

  /** No Authorization header. */
  public static RegistryAuth none() {
    return NONE;
  }

  /**
   * HTTP basic authentication from Confluent's {@code user:password} form.
   *
   * @throws IllegalArgumentException when the text has no colon
   */
  public static RegistryAuth basic(String userInfo) {
    int colon = userInfo.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("The registry user info must be 'user:password', but it"
          + " has no colon; set basic.auth.user.info to user:password.");
    }
    String encoded = Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    return new RegistryAuth("Basic " + encoded, "basic auth as '" + userInfo.substring(0, colon) + "'");
  }

  /**
   * A static bearer token, as issued by an OAuth server or a registry's API key page.
   *
   * @throws IllegalArgumentException when the token is blank
   */
  public static RegistryAuth bearer(String token) {
    if (token.isBlank()) {
      throw new IllegalArgumentException("The registry bearer token is empty; set bearer.auth.token"
          + " to the token, or remove it to connect without one.");
    }
    return new RegistryAuth("Bearer " + token.strip(), "a bearer token");
  }

  /** The value of the Authorization header, absent for {@link #none()}. */
  public Optional<String> authorizationHeader() {
    return Optional.ofNullable(authorization);
  }

  /** Says which kind of authentication this is without revealing any secret. */
  @Override
  public String toString() {
    return description;
  }
}
