package io.agentbus.security;

import io.agentbus.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * NATS NKeys for users, read and written with the JDK's Ed25519 (no NATS library): a user seed
 * ({@code SU...}) and a user public key ({@code U...}) are the Base32 (RFC 4648, no padding) of
 * prefix byte(s), the 32 raw key bytes and a CRC-16/XMODEM, little-endian. Thread-safe.
 */
public final class NKeys {
  private static final int PREFIX_SEED = 18 << 3; // 'S'
  private static final int PREFIX_USER = 20 << 3; // 'U'
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  /** The DER prefix of an X.509 Ed25519 public key, before its 32 raw bytes. */
  private static final byte[] X509_PREFIX = new BigInteger("302a300506032b6570032100", 16)
      .toByteArray();

  private NKeys() {}

  /** An Ed25519 key pair from an NKey seed. */
  public record KeyPairOf(PrivateKey privateKey, PublicKey publicKey, String publicNKey) {}

  /**
   * The key pair of a user seed ({@code SU...}).
   *
   * @throws ConfigurationException if {@code seed} is not a valid user seed (the message does not
   *     repeat the seed)
   */
  public static KeyPairOf fromSeed(String seed) {
    byte[] seedBytes = seedBytes(seed);
    try {
      // the JDK derives the public key only while generating: hand it the seed as the randomness
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, new FixedRandom(seedBytes));
      KeyPair pair = g.generateKeyPair();
      PrivateKey priv = KeyFactory.getInstance("Ed25519")
          .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seedBytes));
      byte[] pub = rawPublicKey(pair.getPublic());
      return new KeyPairOf(priv, pair.getPublic(), encodePublicKey(pub));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM has no Ed25519 (Java 15 or later has it)", e);
    }
  }

  /**
   * The Ed25519 public key of a user public NKey ({@code U...}).
   *
   * @throws ConfigurationException if {@code nkey} is not a valid user public key, naming it
   */
  public static PublicKey publicKey(String nkey) {
    byte[] raw = publicKeyBytes(nkey);
    byte[] der = new byte[X509_PREFIX.length + 32];
    System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
    System.arraycopy(raw, 0, der, X509_PREFIX.length, 32);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException("'" + nkey + "' is not a valid Ed25519 public key: " + e);
    }
  }

  /**
   * The 32 raw Ed25519 seed bytes of a user seed ({@code SU...}), for an Ed25519 implementation
   * other than the JDK's.
   *
   * @throws ConfigurationException if {@code seed} is not a valid user seed (the message does not
   *     repeat the seed)
   */
  public static byte[] seedBytes(String seed) {
    byte[] raw = decode(seed.trim(), "seed");
    if (raw.length != 34 || (raw[0] & 0xff) != (PREFIX_SEED | PREFIX_USER >> 5)
        || (raw[1] & 0xff) != ((PREFIX_USER & 31) << 3)) {
      throw new ConfigurationException("Not an NKey user seed (it must start with 'SU' and hold "
          + "32 key bytes; nsc or nk -gen user makes one)");
    }
    return Arrays.copyOfRange(raw, 2, 34);
  }

  /**
   * The 32 raw Ed25519 public key bytes of a user public NKey ({@code U...}).
   *
   * @throws ConfigurationException if {@code nkey} is not a valid user public key, naming it
   */
  public static byte[] publicKeyBytes(String nkey) {
    byte[] raw = decode(nkey.trim(), "public key '" + nkey + "'");
    if (raw.length != 33 || (raw[0] & 0xff) != PREFIX_USER) {
      throw new ConfigurationException("'" + nkey + "' is not an NKey user public key (it must "
          + "start with 'U' and hold 32 key bytes)");
    }
    return Arrays.copyOfRange(raw, 1, 33);
  }

  /** The user public NKey ({@code U...}) of 32 raw Ed25519 public key bytes. */
  public static String encodePublicKey(byte[] raw32) {
    byte[] b = new byte[1 + raw32.length];
    b[0] = (byte) PREFIX_USER;
    System.arraycopy(raw32, 0, b, 1, raw32.length);
    return encode(b);
  }

  /** The user seed ({@code SU...}) of 32 raw Ed25519 seed bytes. */
  public static String encodeSeed(byte[] raw32) {
    byte[] b = new byte[2 + raw32.length];
    b[0] = (byte) (PREFIX_SEED | PREFIX_USER >> 5);
    b[1] = (byte) ((PREFIX_USER & 31) << 3);
    System.arraycopy(raw32, 0, b, 2, raw32.length);
    return encode(b);
  }

  static byte[] rawPublicKey(PublicKey key) {
    byte[] der = key.getEncoded();
    return Arrays.copyOfRange(der, der.length - 32, der.length);
  }

  private static String encode(byte[] data) {
    int crc = crc16(data);
    byte[] all = Arrays.copyOf(data, data.length + 2);
    all[data.length] = (byte) crc;
    all[data.length + 1] = (byte) (crc >>> 8);
    StringBuilder out = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte x : all) {
      buffer = buffer << 8 | (x & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32.charAt(buffer >>> (bits - 5) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32.charAt(buffer << (5 - bits) & 31));
    }
    return out.toString();
  }

  /** The bytes before the checksum, after checking it. */
  private static byte[] decode(String text, String what) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (int i = 0; i < text.length(); i++) {
      int v = BASE32.indexOf(text.charAt(i));
      if (v < 0) {
        throw new ConfigurationException("The NKey " + what + " has a character that is not "
            + "Base32 at position " + i);
      }
      buffer = buffer << 5 | v;
      bits += 5;
      if (bits >= 8) {
        out.write(buffer >>> (bits - 8) & 0xff);
        bits -= 8;
      }
    }
    byte[] all = out.toByteArray();
    if (all.length < 3) {
      throw new ConfigurationException("The NKey " + what + " is too short");
    }
    byte[] data = Arrays.copyOf(all, all.length - 2);
    int crc = (all[all.length - 2] & 0xff) | (all[all.length - 1] & 0xff) << 8;
    if (crc != crc16(data)) {
      throw new ConfigurationException("The NKey " + what + " has a wrong checksum (mistyped or "
          + "cut short)");
    }
    return data;
  }

  /** CRC-16/XMODEM: polynomial 0x1021, initial value 0. */
  private static int crc16(byte[] data) {
    int crc = 0;
    for (byte b : data) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc;
  }

  /** Gives the seed as the generator's randomness, once. */
  private static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
    }
  }
}
