package io.agentbus.cli;

import io.agentbus.AgentBusException;
import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.Subjects;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.spi.Codec;
import io.agentbus.spi.CodecProvider;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.Providers;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One command's connection to the mesh: the bus the configuration describes, its transport (for
 * raw subscriptions and the JetStream API) and every codec on the classpath (to decode whatever
 * the agents publish). Closing it closes the connection.
 */
final class Session implements AutoCloseable {
  private final AgentBusConfig config;
  private final Transport transport;
  private final MessageBus bus;
  private final List<Codec> codecs;
  private final java.util.Queue<String> refusals = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.Semaphore refused = new java.util.concurrent.Semaphore(0);

  private Session(AgentBusConfig config, Transport transport, MessageBus bus, List<Codec> codecs) {
    this.config = config;
    this.transport = transport;
    this.bus = bus;
    this.codecs = codecs;
    // a subject the user may not use is refused asynchronously (-ERR 'Permissions Violation ...')
    transport.addConnectionListener(e -> {
      if (e.kind() == ConnectionEvent.Kind.ERROR && isRefusal(e.detail())) {
        refusals.add(e.detail());
        refused.release();
      }
    });
  }

  /**
   * Connects as configured.
   *
   * @throws CliException with the exit code and a one-line fix when it cannot
   */
  static Session open(AgentBusConfig config) {
    Transport transport;
    try {
      transport = config.newTransport();
    } catch (ConfigurationException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage(), e);
    } catch (RuntimeException e) {
      throw Failures.connecting(config, e);
    }
    try {
      Codec primary = config.newCodec();
      List<Codec> codecs = new ArrayList<>();
      codecs.add(primary);
      for (CodecProvider p : Providers.codecs().values()) {
        Codec c = p.create(config.settings());
        if (!c.contentType().equals(primary.contentType())) {
          codecs.add(c);
        }
      }
      MessageBus bus = config.messageBusBuilder(transport, primary).build();
      return new Session(config, transport, bus, List.copyOf(codecs));
    } catch (RuntimeException e) {
      transport.close();
      throw Failures.translate(e);
    }
  }

  AgentBusConfig config() {
    return config;
  }

  MessageBus bus() {
    return bus;
  }

  Transport transport() {
    return transport;
  }

  Subjects subjects() {
    return bus.subjects();
  }

  /** The codec that reads {@code raw}, chosen as a bus chooses: header, then first bytes, then JSON. */
  Codec codecFor(TransportMessage raw) {
    String type = raw.headers().first(Headers.CONTENT_TYPE);
    if (type != null) {
      String wanted = normalize(type);
      for (Codec c : codecs) {
        for (String accepted : c.acceptedContentTypes()) {
          if (normalize(accepted).equals(wanted)) {
            return c;
          }
        }
      }
    }
    for (Codec c : codecs) {
      if (c.recognizes(raw.payload())) {
        return c;
      }
    }
    for (Codec c : codecs) {
      if (normalize(c.contentType()).equals("application/json")) {
        return c;
      }
    }
    return codecs.get(0);
  }

  private static String normalize(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim()
        .toLowerCase(Locale.ROOT);
  }

  /**
   * Makes sure what was published or subscribed reached the server, and that the server did not
   * refuse it. The server's refusal comes before its answer to the flush, but the client reports
   * it on another thread, so a short grace ({@value #REFUSAL_GRACE_MILLIS} ms) follows.
   *
   * @throws CliException (permission denied) naming the refused subject
   */
  void flush() {
    try {
      bus.flush(Duration.ofSeconds(5));
      if (refused.tryAcquire(REFUSAL_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new CliException(ExitCode.PERMISSION_DENIED, "Permission denied: the NATS server "
            + "refused " + refused(refusals.peek()) + ": the user lacks that permission; grant "
            + "it in the server's authorization block or use another user.");
      }
    } catch (AgentBusException e) {
      throw Failures.translate(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static final long REFUSAL_GRACE_MILLIS = 250;

  /** The transport's words for a refused subject: its own event, or the server's raw error. */
  private static final Pattern DENIED =
      Pattern.compile("^permission denied: The server denied permission to (\\w+) to '([^']*)'");

  private static boolean isRefusal(String detail) {
    return DENIED.matcher(detail).find()
        || detail.toLowerCase(Locale.ROOT).contains("permissions violation");
  }

  /** What was refused, as "to let this user publish to 'subject'" or the server's own text. */
  static String refused(String detail) {
    Matcher m = DENIED.matcher(detail);
    if (m.find()) {
      return "to let this user " + m.group(1) + " to '" + m.group(2) + "'";
    }
    return detail.replaceFirst("^server error: ", "");
  }

  @Override
  public void close() {
    bus.close();
  }
}
