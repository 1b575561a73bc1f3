package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.security.NKeys;
import io.agentbus.spi.Ed25519Provider;
import io.nats.client.NKey;
import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * Ed25519 by jnats' {@link NKey} (Bouncy Castle underneath): on the classpath with
 * sdk-transport-nats, it signs and verifies signed messages instead of the JDK's, about nine times
 * faster on JDK 17 (docs/performance.md, "Signed messages"). Keys are checked with sdk-core's
 * {@link NKeys}, so bad keys fail with the same messages whichever implementation is used.
 * Thread-safe.
 */
public final class JnatsEd25519 implements Ed25519Provider {

  /** For {@link java.util.ServiceLoader}. */
  public JnatsEd25519() {}

  @Override
  public String name() {
    return "jnats";
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public Signer signer(String userSeed) {
    NKeys.fromSeed(userSeed);
    NKey key = NKey.fromSeed(userSeed.trim().toCharArray());
    return input -> {
      try {
        return key.sign(input);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("Ed25519 signing with jnats' NKey failed", e);
      }
    };
  }

  @Override
  public Verifier verifier(String userPublicKey) {
    NKeys.publicKey(userPublicKey);
    NKey key;
    try {
      key = NKey.fromPublicKey(userPublicKey.trim().toCharArray());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("'" + userPublicKey + "' is not an NKey user public key: "
          + e.getMessage(), e);
    }
    return (input, signature) -> {
      try {
        return signature.length == 64 && key.verify(input, signature);
      } catch (GeneralSecurityException | IOException | RuntimeException e) {
        return false;
      }
    };
  }

  @Override
  public String toString() {
    return "JnatsEd25519";
  }
}
