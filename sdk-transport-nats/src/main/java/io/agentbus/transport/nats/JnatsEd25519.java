package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.security.NKeys;
import io.agentbus.spi.Ed25519Provider;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 by the Bouncy Castle that jnats brings for its {@code NKey}s: on the classpath with
 * sdk-transport-nats, it signs and verifies signed messages instead of the JDK's, several times
 * faster on JDK 17 (docs/performance.md, "Signed messages").
 *
 * <p>It keeps each key in the form Bouncy Castle computes with, once per key: a signer holds its
 * private key with the public key derived from it, a verifier its decoded public point. jnats'
 * own {@code NKey.sign} and {@code NKey.verify} redo both on every call, which is most of their
 * cost. Keys are checked with sdk-core's {@link NKeys}, so bad keys fail with the same messages
 * whichever implementation is used. Thread-safe.
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
    Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(NKeys.seedBytes(userSeed));
    key.generatePublicKey(); // derived once here; the key keeps it for every signature
    return input -> {
      byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
      key.sign(Ed25519.Algorithm.Ed25519, null, input, 0, input.length, signature, 0);
      return signature;
    };
  }

  @Override
  public Verifier verifier(String userPublicKey) {
    Ed25519PublicKeyParameters key;
    try {
      key = new Ed25519PublicKeyParameters(NKeys.publicKeyBytes(userPublicKey));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("'" + userPublicKey + "' is not a valid Ed25519 public "
          + "key: " + e.getMessage(), e);
    }
    return (input, signature) -> {
      try {
        return signature.length == Ed25519PrivateKeyParameters.SIGNATURE_SIZE
            && key.verify(Ed25519.Algorithm.Ed25519, null, input, 0, input.length, signature, 0);
      } catch (RuntimeException e) {
        return false;
      }
    };
  }

  @Override
  public String toString() {
    return "JnatsEd25519";
  }
}
