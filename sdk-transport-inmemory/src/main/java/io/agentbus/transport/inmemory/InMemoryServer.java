package io.agentbus.transport.inmemory;

import io.agentbus.ConfigurationException;
import io.agentbus.time.Scheduler;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The "server" that several {@link InMemoryTransport}s share to form one bus, as several NATS
 * connections share one {@code nats-server}: a message published on one transport reaches the
 * matching subscriptions of all of them, queue groups span them, and each transport gets its own
 * reply inbox.
 *
 * <pre>{@code
 * InMemoryServer server = InMemoryServer.create();
 * Transport architect = server.connect();
 * Transport parser = server.connect();
 * }</pre>
 *
 * <p>A server holds no threads and needs no closing; it is garbage once its transports are. Like
 * a NATS server it owns the {@linkplain #maxPayload() maximum payload}, and, like a NATS server
 * with JetStream, the persistent streams behind durable queues and replay ({@link
 * InMemoryTransport#durableStreams()}), kept for the server's life; their timers (ack wait,
 * redelivery delays, duplicate windows, ages) run on the server's {@linkplain
 * Builder#scheduler scheduler}. Thread-safe.
 */
public final class InMemoryServer {
  /** NATS' default maximum payload: 1 MiB. */
  public static final long DEFAULT_MAX_PAYLOAD = 1_048_576;

  final Routes routes = new Routes();
  final InMemoryStreams streams;
  private final long maxPayload;
  private final AtomicInteger nextConnectionId = new AtomicInteger();
  private final Set<InMemoryTransport> connections = ConcurrentHashMap.newKeySet();

  private InMemoryServer(long maxPayload, Scheduler scheduler) {
    this.maxPayload = maxPayload;
    this.streams = new InMemoryStreams(scheduler);
  }

  /** A server with the default maximum payload of 1 MiB. */
  public static InMemoryServer create() {
    return new InMemoryServer(DEFAULT_MAX_PAYLOAD, Scheduler.system());
  }

  /** A builder for a server with non-default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** A new transport on this server with default settings; see {@link InMemoryTransport#builder()}. */
  public InMemoryTransport connect() {
    return InMemoryTransport.builder().server(this).build();
  }

  /** The largest payload, in bytes, that a transport of this server accepts. */
  public long maxPayload() {
    return maxPayload;
  }

  /** Live subscriptions of all open transports (reply inboxes excluded). */
  public int subscriptionCount() {
    return routes.subscriptionCount();
  }

  /** The names of the persistent streams declared on this server. */
  public Set<String> streamNames() {
    return streams.streamNames();
  }

  /** How many messages stream {@code name} holds now; 0 for a stream that does not exist. */
  public int storedMessageCount(String name) {
    return streams.storedCount(name);
  }

  /** Transports connected and not yet closed. */
  public int connectionCount() {
    return connections.size();
  }

  /**
   * True when a message published to {@code subject} now would reach at least one subscription
   * (of any transport, reply inboxes included); handy for a test that waits for an agent to
   * start listening.
   *
   * @throws io.agentbus.InvalidSubjectException if {@code subject} is not a valid subject
   */
  public boolean hasInterest(String subject) {
    return !routes.match(subject).isEmpty();
  }

  int nextConnectionId() {
    return nextConnectionId.incrementAndGet();
  }

  void connected(InMemoryTransport transport) {
    connections.add(transport);
  }

  void disconnected(InMemoryTransport transport) {
    connections.remove(transport);
  }

  @Override
  public String toString() {
    return "InMemoryServer{connections=" + connectionCount() + ", subscriptions="
        + subscriptionCount() + ", maxPayload=" + maxPayload + "}";
  }

  /** Builds an {@link InMemoryServer}. Not thread-safe. */
  public static final class Builder {
    private long maxPayload = DEFAULT_MAX_PAYLOAD;
    private Scheduler scheduler = Scheduler.system();

    private Builder() {}

    /**
     * The clock and timer of the server's persistent streams (ack wait, redelivery delays,
     * duplicate windows, ages); default {@link Scheduler#system()}. Tests pass {@code
     * VirtualScheduler}, the same one as their transports'.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The largest payload accepted, in bytes; default 1 MiB as in NATS.
     *
     * @throws ConfigurationException if not positive
     */
    public Builder maxPayload(long bytes) {
      if (bytes <= 0) {
        throw new ConfigurationException("maxPayload must be positive, was " + bytes);
      }
      this.maxPayload = bytes;
      return this;
    }

    /** A new server; the builder may be reused. */
    public InMemoryServer build() {
      return new InMemoryServer(maxPayload, scheduler);
    }
  }
}
