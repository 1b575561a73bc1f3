package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.transport.nats.NatsTransportConfig.Key;
import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link NatsTransport} proves who it is to the server: {@link #none()}, {@link
 * #userPassword}, {@link #token}, {@link #tokenFile}, {@link #nkeySeed}, {@link #nkeySeedFile} or
 * {@link #credentialsFile}, exactly one per connection. The file kinds read their file again on
 * every connect and reconnect, so a secret rotated in its file takes effect without a restart. Each kind checks its input when created and applies itself to the jnats connection
 * options; secrets never appear in {@link #toString()} or in messages. Immutable and thread-safe.
 *
 * <p>The kinds are the nested classes, so a caller can tell them apart with {@code instanceof}.
 */
public abstract sealed class NatsAuth {
  private static final NatsAuth NONE = new None();

  private NatsAuth() {}

  /** No authentication: the server accepts anonymous clients. */
  public static NatsAuth none() {
    return NONE;
  }

  /**
   * User and password ({@code agentbus.nats.user}, {@code agentbus.nats.password}).
   *
   * @throws ConfigurationException if either is blank
   */
  public static NatsAuth userPassword(String user, String password) {
    return new UserPassword(requireText(Key.USER, user), requireText(Key.PASSWORD, password));
  }

  /**
   * A token ({@code agentbus.nats.token}).
   *
   * @throws ConfigurationException if it is blank
   */
  public static NatsAuth token(String token) {
    return new Token(requireText(Key.TOKEN, token));
  }

  /**
   * A token read from a file ({@code agentbus.nats.token-file}): its content without surrounding
   * white space. The file is read again on every connect and reconnect, so a rotated token takes
   * effect without restarting the JVM.
   *
   * @throws ConfigurationException if the file cannot be read now or holds no token
   */
  public static NatsAuth tokenFile(Path file) {
    Objects.requireNonNull(file, "file");
    TokenFile auth = new TokenFile(file);
    auth.read(); // fail at startup, not at the first connect
    return auth;
  }

  /**
   * An NKey user seed ({@code agentbus.nats.nkey-seed}), the {@code SU...} text that {@code nsc}
   * or {@code nk -gen user} print.
   *
   * @throws ConfigurationException if it is not a valid NKey seed (the message does not show it)
   */
  public static NatsAuth nkeySeed(String seed) {
    String s = requireText(Key.NKEY_SEED, seed);
    try {
      NKey.fromSeed(s.toCharArray());
    } catch (RuntimeException e) {
      throw new ConfigurationException(Key.NKEY_SEED.property() + " ("
          + Key.NKEY_SEED.environmentVariable() + ") is not a valid NKey seed: it should "
          + "start with 'SU' and be the seed printed by 'nsc' or 'nk -gen user'");
    }
    return new NKeySeed(s);
  }

  /**
   * A {@code .creds} file holding a JWT and an NKey seed, for decentralised authentication
   * ({@code agentbus.nats.creds-file}). jnats reads it on every connect.
   *
   * @throws ConfigurationException if the file cannot be read now
   */
  public static NatsAuth credentialsFile(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigurationException(Key.CREDS_FILE.property() + " ("
          + Key.CREDS_FILE.environmentVariable() + "): cannot read " + file
          + " (no such file, or not readable)");
    }
    return new CredentialsFile(file);
  }

  /**
   * An NKey user seed read from a file ({@code agentbus.nats.nkey-seed-file}), such as those {@code
   * NatsAuthorization} writes. The file is read again on every connect and reconnect, so a
   * rotated seed takes effect without restarting the JVM.
   *
   * @throws ConfigurationException if the file cannot be read now or holds no valid seed
   */
  public static NatsAuth nkeySeedFile(Path file) {
    Objects.requireNonNull(file, "file");
    NKeySeedFile auth = new NKeySeedFile(file);
    auth.readKey(); // fail at startup, not at the first connect
    return auth;
  }

  /** Sets this authentication on the jnats options. */
  abstract void applyTo(Options.Builder options);

  /**
   * The public NKey of this identity ({@code U...}), or null when the authentication carries no
   * key of its own (none, user/password, token). The default inbox prefix is made from it.
   */
  @Nullable String identityKey() {
    return null;
  }

  /** The settings to check when the server refuses this authentication, for the error. */
  abstract String settingsToCheck();

  private static String requireText(Key key, String value) {
    Objects.requireNonNull(value, key.property());
    if (value.isBlank()) {
      throw new ConfigurationException(key.property() + " must not be blank");
    }
    return value;
  }

  /** No authentication. */
  public static final class None extends NatsAuth {
    private None() {}

    @Override
    void applyTo(Options.Builder options) {
      // nothing to send
    }

    @Override
    String settingsToCheck() {
      return "the authentication settings: none is set, but the server requires some ("
          + Key.TOKEN.property() + ", " + Key.TOKEN_FILE.property() + ", " + Key.USER.property()
          + "/" + Key.PASSWORD.property()
          + ", " + Key.NKEY_SEED.property() + " or " + Key.CREDS_FILE.property() + ")";
    }

    @Override
    public String toString() {
      return "none";
    }
  }

  /** User and password. */
  public static final class UserPassword extends NatsAuth {
    private final String user;
    private final String password;

    private UserPassword(String user, String password) {
      this.user = user;
      this.password = password;
    }

    /** The user name (not a secret; shown in messages). */
    public String user() {
      return user;
    }

    @Override
    void applyTo(Options.Builder options) {
      options.userInfo(user.toCharArray(), password.toCharArray());
    }

    @Override
    String settingsToCheck() {
      return Key.USER.property() + " ('" + user + "') and " + Key.PASSWORD.property();
    }

    @Override
    public String toString() {
      return "user/password (" + user + ")";
    }
  }

  /** A token. */
  public static final class Token extends NatsAuth {
    private final String token;

    private Token(String token) {
      this.token = token;
    }

    @Override
    void applyTo(Options.Builder options) {
      options.token(token.toCharArray());
    }

    @Override
    String settingsToCheck() {
      return Key.TOKEN.property();
    }

    @Override
    public String toString() {
      return "token";
    }
  }

  /**
   * A kind read from a file, again on every connect and reconnect: {@link TokenFile}, {@link
   * NKeySeedFile} or {@link CredentialsFile}.
   */
  public abstract static sealed class SecretFile extends NatsAuth
      permits TokenFile, NKeySeedFile, CredentialsFile {
    final Path file;
    private final Key key;

    private SecretFile(Path file, Key key) {
      this.file = file;
      this.key = key;
    }

    /** The file (its path is not a secret; its content is). */
    public final Path file() {
      return file;
    }

    @Override
    final String settingsToCheck() {
      return key.property() + " (" + file + ")";
    }
  }

  /** A token in a file, read on every connect. */
  public static final class TokenFile extends SecretFile {
    private TokenFile(Path file) {
      super(file, Key.TOKEN_FILE);
    }

    char[] read() {
      String token;
      try {
        token = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).strip();
      } catch (java.io.IOException e) {
        throw new ConfigurationException(Key.TOKEN_FILE.property() + " ("
            + Key.TOKEN_FILE.environmentVariable() + "): cannot read " + file + " ("
            + e.getClass().getSimpleName() + ")", e);
      }
      if (token.isEmpty()) {
        throw new ConfigurationException(Key.TOKEN_FILE.property() + " ("
            + Key.TOKEN_FILE.environmentVariable() + "): " + file + " is empty; it should hold "
            + "the token");
      }
      return token.toCharArray();
    }

    @Override
    void applyTo(Options.Builder options) {
      options.tokenSupplier(this::read);
    }

    @Override
    public String toString() {
      return "token file " + file;
    }
  }

  /** An NKey user seed. */
  public static final class NKeySeed extends NatsAuth {
    private final String seed;

    private NKeySeed(String seed) {
      this.seed = seed;
    }

    @Override
    void applyTo(Options.Builder options) {
      options.authHandler(Nats.staticCredentials(null, seed.toCharArray()));
    }

    @Override
    String identityKey() {
      return NKeyFiles.publicKey(seed);
    }

    @Override
    String settingsToCheck() {
      return Key.NKEY_SEED.property();
    }

    @Override
    public String toString() {
      return "nkey";
    }
  }

  /** A {@code .creds} file. */
  public static final class CredentialsFile extends SecretFile {
    private CredentialsFile(Path file) {
      super(file, Key.CREDS_FILE);
    }

    @Override
    void applyTo(Options.Builder options) {
      options.authHandler(Nats.credentials(file.toString()));
    }

    @Override
    @Nullable String identityKey() {
      String seed = NKeyFiles.seedInCreds(file);
      return seed == null ? null : NKeyFiles.publicKey(seed);
    }

    @Override
    public String toString() {
      return "credentials file " + file;
    }
  }

  /** An NKey user seed in a file, read on every connect. */
  public static final class NKeySeedFile extends SecretFile {
    private NKeySeedFile(Path file) {
      super(file, Key.NKEY_SEED_FILE);
    }

    NKey readKey() {
      return NKeyFiles.readSeedFile(file, Key.NKEY_SEED_FILE);
    }

    @Override
    void applyTo(Options.Builder options) {
      options.authHandler(new AuthHandler() {
        @Override
        public byte[] sign(byte[] nonce) {
          try {
            return readKey().sign(nonce);
          } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("Cannot sign with the seed in " + file + ": " + e, e);
          }
        }

        @Override
        public char[] getID() {
          try {
            return readKey().getPublicKey();
          } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("Cannot read the seed in " + file + ": " + e, e);
          }
        }

        @Override
        public char @Nullable [] getJWT() {
          return null;
        }
      });
    }

    @Override
    String identityKey() {
      try {
        return new String(readKey().getPublicKey());
      } catch (java.security.GeneralSecurityException | java.io.IOException e) {
        throw new ConfigurationException("Cannot read the NKey in " + file + ": " + e, e);
      }
    }

    @Override
    public String toString() {
      return "nkey seed file " + file;
    }
  }
}
