package io.tracestitch.serdes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates the registry client trusts, read from a key store file, for registries whose
 * certificate is not signed by an authority the JDK already trusts.
 *
 * @param location the key store file
 * @param password its password, or null when it has none
 * @param type the key store type, e.g. JKS or PKCS12
 */
public record TrustStore(Path location, String password, String type) {

  /** Confluent's default, kept so existing configurations mean the same here. */
  public static final String DEFAULT_TYPE = "JKS";

  /**
   * An SSL context that trusts exactly the certificates in this store.
   *
   * @throws IllegalArgumentException when the file is missing, unreadable or the password is wrong
   */
  public SSLContext sslContext() {
    if ("PEM".equalsIgnoreCase(type)) {
      throw new IllegalArgumentException("Trust store type PEM is not supported for the schema"
          + " registry; convert " + location + " with 'keytool -importcert -file <pem> -keystore"
          + " truststore.p12 -storetype PKCS12' and set the type to PKCS12.");
    }
    try (InputStream in = Files.newInputStream(location)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password == null ? null : password.toCharArray());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("The schema registry trust store " + location + " does not"
          + " exist; check schema.registry.ssl.truststore.location.", e);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("Could not load the schema registry trust store " + location
          + " as type " + type + " (" + e.getMessage() + "); check the file, its password and"
          + " schema.registry.ssl.truststore.type.", e);
    }
  }

  /** Names the file and type but never the password. */
  @Override
  public String toString() {
    return "TrustStore[" + location + ", type " + type + "]";
  }
}
