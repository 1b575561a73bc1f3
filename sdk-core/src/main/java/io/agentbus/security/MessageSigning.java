package io.agentbus.security;

import io.agentbus.AgentMessage;
import io.agentbus.ConfigurationException;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.MessageRefusedException;
import io.agentbus.spi.Ed25519Provider;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.Providers;
import io.agentbus.spi.ReceivedMessage;
import io.agentbus.time.Scheduler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Signs every message a bus sends, replies included, with the agent's NKey (Ed25519), and
 * verifies what it receives against {@link TrustedKeys} before a handler, the monitor or a
 * waiting requester sees it. Register it on the bus ({@code MessageBus.Builder.addInterceptor});
 * {@code AgentBusConfig} does so from {@code agentbus.security.*}.
 *
 * <p><b>The signature</b> (docs/wire-format.md, "Signed messages", has the byte-exact scheme and
 * test vectors) is an Ed25519 signature over: a version line, the signer's agent id, the subject
 * published to (for a reply: the request's subject and the request's nonce, not the inbox), a
 * timestamp and a nonce, then the payload bytes as sent. It travels in four headers: {@link
 * #SIGNER}, {@link #TIMESTAMP}, {@link #NONCE}, {@link #SIGNATURE}. The signer must be the
 * message's {@code from_agent} (for an error reply: the agent the request was addressed to).
 * The Ed25519 work is done by an {@link Ed25519Provider}, by default {@link Providers#ed25519()}:
 * jnats' {@code NKey} when sdk-transport-nats is on the classpath, else the JDK's.
 *
 * <p><b>Refused</b> in {@link SigningMode#REQUIRE}: unsigned; signed by a key not trusted for its
 * signer; altered (bad signature, or signer and {@code from_agent} differ); replayed (timestamp
 * outside the {@linkplain Builder#replayWindow window}, or a nonce this receiver already saw). In
 * {@link SigningMode#SIGN} unsigned and untrusted messages are accepted, altered and replayed ones
 * refused. Messages from streams (durable queue items, replays) are verified but not checked for
 * replay, since they may arrive more than once by design. Refusals are counted by cause in {@link
 * #refusals()}; the bus counts, logs (rate-limited) and dead-letters them.
 *
 * <p>Thread-safe.
 */
public final class MessageSigning implements MessageInterceptor {
  /** The agent id that signed: the message's {@code from_agent}, or a reply's responder. */
  public static final String SIGNER = "AgentBus-Signer";
  /** When it was signed, in milliseconds since the epoch (decimal). */
  public static final String TIMESTAMP = "AgentBus-Timestamp";
  /** 16 random bytes, base64url without padding: unique per message. */
  public static final String NONCE = "AgentBus-Nonce";
  /** The Ed25519 signature (64 bytes), base64url without padding. */
  public static final String SIGNATURE = "AgentBus-Signature";
  /** The first line of what is signed: the scheme's version. */
  public static final String VERSION = "AGENTBUS-SIG-V1";

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final SigningMode mode;
  private final @Nullable String ownKey;
  private final Ed25519Provider.@Nullable Signer signer;
  private final Ed25519Provider ed25519;
  private final TrustedKeys trusted;
  private final ConcurrentHashMap<String, Ed25519Provider.Verifier> verifiers =
      new ConcurrentHashMap<>();
  private final Scheduler clock;
  private final SecureRandom random = new SecureRandom();
  private final ReplayGuard replays;
  private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();

  private MessageSigning(Builder b) {
    this.mode = b.mode;
    this.ed25519 = b.ed25519 != null ? b.ed25519 : Providers.ed25519();
    this.ownKey = b.seed == null ? null : NKeys.fromSeed(b.seed).publicNKey();
    this.signer = b.seed == null ? null : ed25519.signer(b.seed);
    this.trusted = b.trusted;
    this.clock = b.clock;
    this.replays = new ReplayGuard(b.window.toMillis(), b.maxNonces);
  }

  public static Builder builder() {
    return new Builder();
  }

  public SigningMode mode() {
    return mode;
  }

  /** The public NKey this bus signs with, or null when it does not sign. */
  public @Nullable String publicKey() {
    return ownKey;
  }

  /** The Ed25519 implementation this bus signs and verifies with. */
  public Ed25519Provider ed25519() {
    return ed25519;
  }

  /** Messages refused so far, by cause ({@code unsigned}, {@code untrusted}, ...). */
  public Map<String, Long> refusals() {
    Map<String, Long> out = new TreeMap<>();
    refusals.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  // ------------------------------------------------------------------ signing

  @Override
  public Headers beforePublish(String subject, AgentMessage message, Headers headers,
      byte[] payload) {
    return sign(message.fromAgent(), subject, "", headers, payload);
  }

  @Override
  public Headers beforeReply(Delivery request, String replyTo, @Nullable AgentMessage reply,
      Headers headers, byte[] payload) {
    String signer = reply != null ? reply.fromAgent() : request.message().toAgent();
    if (signer == null) {
      return headers;
    }
    String requestNonce = request.headers().first(NONCE);
    return sign(signer, request.subject(), requestNonce == null ? "" : requestNonce, headers,
        payload);
  }

  private Headers sign(String signer, String subject, String inReplyTo, Headers headers,
      byte[] payload) {
    Ed25519Provider.Signer k = this.signer;
    if (mode == SigningMode.OFF || k == null) {
      return headers;
    }
    byte[] n = new byte[16];
    random.nextBytes(n);
    String nonce = B64.encodeToString(n);
    String timestamp = Long.toString(clock.nowMillis());
    byte[] input = signingInput(signer, subject, inReplyTo, timestamp, nonce, payload);
    byte[] sig = k.sign(input);
    return headers.toBuilder().set(SIGNER, signer).set(TIMESTAMP, timestamp).set(NONCE, nonce)
        .set(SIGNATURE, B64.encodeToString(sig)).build();
  }

  /**
   * The bytes an AgentBus signature covers: the UTF-8 of the six lines {@link #VERSION}, {@code
   * signer}, {@code subject}, {@code inReplyTo} (the request's nonce for a reply, else empty),
   * {@code timestamp}, {@code nonce}, each ended by {@code \n}, then {@code payload} as is.
   */
  public static byte[] signingInput(String signer, String subject, String inReplyTo,
      String timestamp, String nonce, byte[] payload) {
    byte[] head = (VERSION + "\n" + signer + "\n" + subject + "\n" + inReplyTo + "\n" + timestamp
        + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + payload.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(payload, 0, all, head.length, payload.length);
    return all;
  }

  // ------------------------------------------------------------------ verifying

  @Override
  public @Nullable String beforeDecode(ReceivedMessage m) {
    if (mode == SigningMode.OFF) {
      return null;
    }
    Headers h = m.headers();
    String signature = h.first(SIGNATURE);
    String signer = h.first(SIGNER);
    if (signature == null || signer == null) {
      return mode == SigningMode.REQUIRE
          ? refuse("unsigned", "the message carries no " + SIGNATURE + " and " + SIGNER) : null;
    }
    Ed25519Provider.Verifier key = verifierOf(signer);
    if (key == null) {
      return mode == SigningMode.REQUIRE
          ? refuse("untrusted", "no key is trusted for signer '" + signer + "'") : null;
    }
    ReceivedMessage.SentRequest request = m.inReplyTo();
    String subject = m.subject();
    String inReplyTo = "";
    if (request != null) {
      String addressee = request.message().toAgent();
      if (addressee != null && !addressee.equals(signer)) {
        return refuse("altered", "the reply is signed by '" + signer
            + "', not by the agent the request was addressed to, '" + addressee + "'");
      }
      subject = request.subject();
      String requestNonce = request.headers().first(NONCE);
      inReplyTo = requestNonce == null ? "" : requestNonce;
    }
    String timestamp = h.first(TIMESTAMP);
    String nonce = h.first(NONCE);
    if (timestamp == null || nonce == null) {
      return refuse("altered", "the signature comes without " + TIMESTAMP + " or " + NONCE);
    }
    if (!verify(key, signature, signingInput(signer, subject, inReplyTo, timestamp, nonce,
        m.payload()))) {
      return refuse("altered", "the signature of '" + signer + "' does not verify (altered, "
          + "sent to another subject, or signed with another key)");
    }
    return m.receiver() == null ? null : replayCheck(m.receiver(), signer, timestamp, nonce);
  }

  private @Nullable String replayCheck(String receiver, String signer, String timestamp,
      String nonce) {
    long ts;
    try {
      ts = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return refuse("altered", TIMESTAMP + " is not a number of milliseconds");
    }
    String refused = replays.check(receiver + "|" + signer + "|" + nonce, ts, clock.nowMillis());
    return refused == null ? null : refuse("replayed", refused);
  }

  /** A signed message must be from its signer: the check needs the decoded message. */
  @Override
  public void aroundDelivery(Delivery delivery, Chain next) throws Exception {
    if (mode != SigningMode.OFF) {
      String signer = delivery.headers().first(SIGNER);
      String from = delivery.message().fromAgent();
      if (signer != null && !signer.equals(from) && trusted.keyOf(signer) != null) {
        throw new MessageRefusedException(refuse("altered", "signed by '" + signer
            + "' but from_agent is '" + from + "'"));
      }
    }
    next.proceed(delivery);
  }

  /** The verifier of the key trusted for {@code agent}, made once per agent; null if none. */
  private Ed25519Provider.@Nullable Verifier verifierOf(String agent) {
    Ed25519Provider.Verifier v = verifiers.get(agent);
    if (v != null) {
      return v;
    }
    String nkey = trusted.asMap().get(agent);
    return nkey == null ? null : verifiers.computeIfAbsent(agent, a -> ed25519.verifier(nkey));
  }

  private static boolean verify(Ed25519Provider.Verifier key, String signature, byte[] input) {
    byte[] sig;
    try {
      sig = B64D.decode(signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return key.verify(input, sig);
  }

  private String refuse(String cause, String detail) {
    refusals.computeIfAbsent(cause, c -> new LongAdder()).increment();
    return cause + ": " + detail;
  }

  @Override
  public String toString() {
    return "MessageSigning{" + mode.configName() + ", signs as " + publicKey() + " with "
        + ed25519.name() + " Ed25519, trusts " + trusted + "}";
  }

  /** Builds a {@link MessageSigning}; validates when built. */
  public static final class Builder {
    private SigningMode mode = SigningMode.OFF;
    private @Nullable String seed;
    private TrustedKeys trusted = TrustedKeys.none();
    private @Nullable Ed25519Provider ed25519;
    private Duration window = Duration.ofMinutes(2);
    private Scheduler clock = Scheduler.system();
    private int maxNonces = 1_000_000;

    private Builder() {}

    public Builder mode(SigningMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** The user seed ({@code SU...}) this bus signs with; required unless the mode is off. */
    public Builder seed(String seed) {
      this.seed = Objects.requireNonNull(seed, "seed");
      return this;
    }

    /**
     * The Ed25519 implementation to sign and verify with; default {@link Providers#ed25519()}
     * (jnats' when sdk-transport-nats is on the classpath, else the JDK's).
     */
    public Builder ed25519(Ed25519Provider ed25519) {
      this.ed25519 = Objects.requireNonNull(ed25519, "ed25519");
      return this;
    }

    /** Whom to trust; default nobody. */
    public Builder trustedKeys(TrustedKeys trusted) {
      this.trusted = Objects.requireNonNull(trusted, "trusted");
      return this;
    }

    /**
     * How far a message's timestamp may be from now, either way, before it counts as replayed;
     * default 2 minutes. Nonces are remembered this long.
     */
    public Builder replayWindow(Duration window) {
      if (window.isNegative() || window.isZero()) {
        throw new ConfigurationException("The replay window must be positive, was " + window);
      }
      this.window = window;
      return this;
    }

    /** The clock of timestamps and the replay window; default {@link Scheduler#system()}. */
    public Builder clock(Scheduler clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Most nonces remembered at once (default 1,000,000). Past it the
     * oldest are forgotten and what was signed before them refused, so that no copy gets in: the
     * replay window is shortened while the receiver is that busy.
     */
    public Builder maxNonces(int maxNonces) {
      if (maxNonces < 1) {
        throw new ConfigurationException("maxNonces must be at least 1, was " + maxNonces);
      }
      this.maxNonces = maxNonces;
      return this;
    }

    /**
     * @throws ConfigurationException if the mode signs but no seed was given, or the seed is
     *     not a user seed
     */
    public MessageSigning build() {
      if (mode != SigningMode.OFF && seed == null) {
        throw new ConfigurationException("Signing mode '" + mode.configName() + "' needs the "
            + "agent's NKey seed (agentbus.security.seed-file, or the NATS NKey it connects "
            + "with)");
      }
      return new MessageSigning(this);
    }
  }
}
