package io.agentbus.security;

import io.agentbus.spi.Ed25519Provider;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Ed25519 by the JDK ({@code java.security}, Java 15 or later): the fallback when no faster
 * {@link Ed25519Provider} is on the classpath, so that sdk-core needs no library. Thread-safe.
 */
public final class JdkEd25519 implements Ed25519Provider {
  private static final ThreadLocal<Signature> ED25519 = ThreadLocal.withInitial(() -> {
    try {
      return Signature.getInstance("Ed25519");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM has no Ed25519 (Java 15 or later has it)", e);
    }
  });

  /** The one instance code outside the service loader needs. */
  public static final JdkEd25519 INSTANCE = new JdkEd25519();

  /** For {@link java.util.ServiceLoader}; {@link #INSTANCE} otherwise. */
  public JdkEd25519() {}

  @Override
  public String name() {
    return "jdk";
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Signer signer(String userSeed) {
    PrivateKey key = NKeys.fromSeed(userSeed).privateKey();
    return input -> {
      try {
        Signature s = ED25519.get();
        s.initSign(key);
        s.update(input);
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("Ed25519 signing failed", e);
      }
    };
  }

  @Override
  public Verifier verifier(String userPublicKey) {
    PublicKey key = NKeys.publicKey(userPublicKey);
    return (input, signature) -> {
      try {
        Signature s = ED25519.get();
        s.initVerify(key);
        s.update(input);
        return s.verify(signature);
      } catch (GeneralSecurityException | RuntimeException e) {
        return false;
      }
    };
  }

  @Override
  public String toString() {
    return "JdkEd25519";
  }
}
