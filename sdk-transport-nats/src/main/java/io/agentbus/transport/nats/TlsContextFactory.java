package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.transport.nats.NatsTransportConfig.Key;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Builds the {@link SSLContext} of a TLS connection from a client key store ({@code
 * agentbus.nats.tls.keystore}) and a trust store ({@code agentbus.nats.tls.truststore}), PKCS#12
 * or JKS; without either, the JVM's default context. Errors name the setting and the file, never
 * a password.
 */
final class TlsContextFactory {
  private TlsContextFactory() {}

  /**
   * @throws ConfigurationException naming the setting when a store cannot be read, is not a key
   *     store, or its password is wrong
   */
  static SSLContext create(@Nullable Path keyStore, @Nullable String keyStorePassword,
      @Nullable Path trustStore, @Nullable String trustStorePassword) {
    try {
      if (keyStore == null && trustStore == null) {
        return SSLContext.getDefault();
      }
      KeyManagerFactory kmf = null;
      if (keyStore != null) {
        char[] pw = keyStorePassword == null ? new char[0] : keyStorePassword.toCharArray();
        KeyStore ks = load(keyStore, pw, Key.TLS_KEYSTORE, Key.TLS_KEYSTORE_PASSWORD);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
          kmf.init(ks, pw);
        } catch (GeneralSecurityException e) {
          throw new ConfigurationException("Cannot use the key in " + keyStore + " ("
              + Key.TLS_KEYSTORE.property() + "): " + e.getMessage()
              + "; check " + Key.TLS_KEYSTORE_PASSWORD.property(), e);
        }
      }
      TrustManagerFactory tmf = null;
      if (trustStore != null) {
        char[] pw = trustStorePassword == null ? null : trustStorePassword.toCharArray();
        KeyStore ts = load(trustStore, pw, Key.TLS_TRUSTSTORE, Key.TLS_TRUSTSTORE_PASSWORD);
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException("Cannot set up TLS (" + Key.TLS.property() + "): "
          + e.getMessage(), e);
    }
  }

  /**
   * The earliest end of validity of the certificates in a client key store, or null if it has
   * none; the store was loaded before by {@link #create}, so errors here are not expected.
   */
  static java.time.@Nullable Instant clientCertificatesNotAfter(Path keyStore,
      @Nullable String password) {
    try {
      char[] pw = password == null ? new char[0] : password.toCharArray();
      KeyStore ks = KeyStore.getInstance(keyStore.toFile(), pw);
      java.time.Instant earliest = null;
      for (String alias : java.util.Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias)
            && ks.getCertificate(alias) instanceof java.security.cert.X509Certificate x) {
          java.time.Instant end = x.getNotAfter().toInstant();
          earliest = earliest == null || end.isBefore(earliest) ? end : earliest;
        }
      }
      return earliest;
    } catch (IOException | GeneralSecurityException e) {
      return null;
    }
  }

  private static KeyStore load(Path path, char @Nullable [] password, Key key, Key passwordKey) {
    if (!Files.isReadable(path)) {
      throw new ConfigurationException(key.property() + " (" + key.environmentVariable()
          + "): cannot read " + path + " (no such file, or not readable)");
    }
    try {
      return KeyStore.getInstance(path.toFile(), password);
    } catch (IOException e) {
      throw new ConfigurationException(key.property() + ": cannot load " + path + ": "
          + e.getMessage() + " (is it a PKCS#12 or JKS store, and is "
          + passwordKey.property() + " right?)", e);
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(key.property() + ": cannot load " + path + ": "
          + e.getMessage(), e);
    }
  }
}
