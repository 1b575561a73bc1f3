package io.agentbus.benchmarks;

import io.agentbus.MessageBus;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.agentbus.transport.inmemory.InMemoryTransport;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import java.time.Duration;

/**
 * Two {@link MessageBus}es, one per side of an exchange (publisher and subscriber, requester and
 * responder), as two processes would have: on NATS each has its own connection to the server the
 * runner started; in memory both connect to one {@link InMemoryServer}. The bus publishes with
 * {@code codec}; JSON is also registered for decoding, as a production bus would.
 */
final class BusFixture implements AutoCloseable {
  static final String NATS = "nats";
  static final String INMEMORY = "inmemory";

  final MessageBus a;
  final MessageBus b;

  private BusFixture(MessageBus a, MessageBus b) {
    this.a = a;
    this.b = b;
  }

  static BusFixture create(String transport, String codec, String nameA, String nameB) {
    Transport[] pair = transports(transport, nameA, nameB);
    return new BusFixture(bus(pair[0], codec), bus(pair[1], codec));
  }

  /** Two transports that reach each other: two NATS connections, or two on one server. */
  static Transport[] transports(String transport, String nameA, String nameB) {
    switch (transport) {
      case NATS:
        return new Transport[] {nats(nameA), nats(nameB)};
      case INMEMORY:
        InMemoryServer server = InMemoryServer.create();
        return new Transport[] {InMemoryTransport.connectTo(server),
            InMemoryTransport.connectTo(server)};
      default:
        throw new IllegalArgumentException("Unknown transport '" + transport + "'; expected "
            + NATS + " or " + INMEMORY);
    }
  }

  private static Transport nats(String name) {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(BenchEnv.natsUrl())
        .connectionName(name).build());
  }

  private static MessageBus bus(Transport transport, String codec) {
    Codec primary = Codecs.named(codec);
    MessageBus.Builder b = MessageBus.builder().transport(transport).codec(primary);
    if (!codec.equals(Codecs.JSON)) {
      b.additionalCodecs(Codecs.named(Codecs.JSON));
    }
    return b.build();
  }

  /** Waits until both sides' subscriptions are live on the server. */
  void flush() {
    a.flush(Duration.ofSeconds(5));
    b.flush(Duration.ofSeconds(5));
  }

  /**
   * Checks that neither bus lost, failed or dead-lettered anything.
   *
   * @throws IllegalStateException naming the counters that are not zero
   */
  void verifyNothingLost(String what) {
    StringBuilder problems = new StringBuilder();
    for (MessageBus bus : new MessageBus[] {a, b}) {
      var s = bus.stats();
      var t = bus.transportStats();
      if (s.decodeFailures() + s.handlerFailures() + s.deadLettered() + s.deadLetterFailures()
          + t.dropped() + t.handlerFailures() + t.slowConsumerEvents() != 0) {
        problems.append(' ').append(s).append(' ').append(t);
      }
    }
    if (problems.length() > 0) {
      throw new IllegalStateException(what + ": messages were lost or failed:" + problems);
    }
  }

  @Override
  public void close() {
    try {
      a.close();
    } finally {
      b.close();
    }
  }
}
