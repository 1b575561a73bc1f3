package io.agentbus.test.nats;

import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to start a NATS server for a test: authentication, JetStream, TLS and any further
 * {@code nats-server} configuration. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * NatsServer secured = nats.startServer(NatsServerSpec.builder().user("alice", "s3cret").build());
 * }</pre>
 */
public final class NatsServerSpec {
  private static final NatsServerSpec DEFAULTS = builder().build();

  private final @Nullable String user;
  private final @Nullable String password;
  private final @Nullable String token;
  private final boolean jetStream;
  private final @Nullable Path tlsCert;
  private final @Nullable Path tlsKey;
  private final @Nullable String config;

  private NatsServerSpec(Builder b) {
    this.user = b.user;
    this.password = b.password;
    this.token = b.token;
    this.jetStream = b.jetStream;
    this.tlsCert = b.tlsCert;
    this.tlsKey = b.tlsKey;
    this.config = b.config;
  }

  /** A plain server with JetStream enabled and no authentication. */
  public static NatsServerSpec defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The user clients must authenticate as, or null. */
  public @Nullable String user() {
    return user;
  }

  /** The password of {@link #user()}, or null. */
  public @Nullable String password() {
    return password;
  }

  /** The token clients must present, or null. */
  public @Nullable String token() {
    return token;
  }

  /** Whether JetStream is enabled (with a temporary store directory). */
  public boolean jetStream() {
    return jetStream;
  }

  /** The server certificate (PEM) when TLS is required, or null. */
  public @Nullable Path tlsCert() {
    return tlsCert;
  }

  /** The server's private key (PEM) when TLS is required, or null. */
  public @Nullable Path tlsKey() {
    return tlsKey;
  }

  /** Extra {@code nats-server} configuration file text, or null. */
  public @Nullable String config() {
    return config;
  }

  @Override
  public String toString() {
    return "NatsServerSpec{user=" + user + ", token=" + (token == null ? "none" : "***")
        + ", jetStream=" + jetStream + ", tls=" + (tlsCert != null) + ", config="
        + (config == null ? "none" : config.length() + " chars") + "}";
  }

  /** Builds a {@link NatsServerSpec}. Not thread-safe. */
  public static final class Builder {
    private @Nullable String user;
    private @Nullable String password;
    private @Nullable String token;
    private boolean jetStream = true;
    private @Nullable Path tlsCert;
    private @Nullable Path tlsKey;
    private @Nullable String config;

    private Builder() {}

    /** Requires clients to log in as {@code user} with {@code password}. */
    public Builder user(String user, String password) {
      this.user = requireNonBlank(user, "user");
      this.password = requireNonBlank(password, "password");
      return this;
    }

    /** Requires clients to present {@code token}. */
    public Builder token(String token) {
      this.token = requireNonBlank(token, "token");
      return this;
    }

    /** Enables or disables JetStream; enabled by default. */
    public Builder jetStream(boolean enabled) {
      this.jetStream = enabled;
      return this;
    }

    /** Requires TLS, with this server certificate and private key (PEM files). */
    public Builder tls(Path certificate, Path privateKey) {
      this.tlsCert = Objects.requireNonNull(certificate, "certificate");
      this.tlsKey = Objects.requireNonNull(privateKey, "privateKey");
      return this;
    }

    /**
     * Further server configuration in the {@code nats-server} configuration format, for example
     * an {@code authorization} block with NKey users. The other settings of this spec (port,
     * user, token, TLS) are written after it and take precedence over it.
     */
    public Builder config(String configText) {
      this.config = Objects.requireNonNull(configText, "configText");
      return this;
    }

    /**
     * @throws IllegalArgumentException when both a user and a token are set (nats-server accepts
     *     only one of them on its command line)
     */
    public NatsServerSpec build() {
      if (user != null && token != null) {
        throw new IllegalArgumentException(
            "A NATS server takes either a user and password or a token, not both");
      }
      return new NatsServerSpec(this);
    }

    private static String requireNonBlank(String value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return value;
    }
  }
}
