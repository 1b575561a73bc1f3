package io.agentbus.spi;

/**
 * An implementation of Ed25519 for signed messages ({@code io.agentbus.security.MessageSigning}):
 * it turns an NKey user seed into a {@link Signer} and a user public NKey into a {@link Verifier},
 * once per key, not per message. sdk-core has the JDK's ({@code jdk}, priority 0); sdk-transport-nats
 * adds jnats' {@code NKey} ({@code jnats}, about nine times faster than JDK 17's). A module
 * registers one in {@code META-INF/services/io.agentbus.spi.Ed25519Provider}; {@link
 * Providers#ed25519()} picks the one of highest priority.
 *
 * <p>Ed25519 is deterministic: every implementation must give the same signature for the same
 * seed and bytes (the test vectors in {@code docs/signing-vectors.json} check it).
 * Implementations, their signers and verifiers are thread-safe.
 */
public interface Ed25519Provider {

  /** The name configuration and logs know it by: lower case, such as {@code jdk}. */
  String name();

  /** Which provider wins when several are on the classpath: the highest. The JDK's is 0. */
  int priority();

  /**
   * The signer of an NKey user seed ({@code SU...}).
   *
   * @throws io.agentbus.ConfigurationException if {@code userSeed} is not a user seed
   */
  Signer signer(String userSeed);

  /**
   * The verifier of a user public NKey ({@code U...}).
   *
   * @throws io.agentbus.ConfigurationException if {@code userPublicKey} is not a user public key
   */
  Verifier verifier(String userPublicKey);

  /** Signs with one private key. Thread-safe. */
  interface Signer {
    /** The 64-byte Ed25519 signature of {@code input}. */
    byte[] sign(byte[] input);
  }

  /** Verifies against one public key. Thread-safe. */
  interface Verifier {
    /** Whether {@code signature} is this key's Ed25519 signature of {@code input}; never throws. */
    boolean verify(byte[] input, byte[] signature);
  }
}
