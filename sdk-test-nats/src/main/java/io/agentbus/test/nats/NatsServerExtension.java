package io.agentbus.test.nats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives tests a real NATS server. The server comes from, in this order:
 *
 * <ol>
 *   <li>the {@code NATS_URL} environment variable, when set (the server is used as it is);
 *   <li>a {@code nats-server} binary ({@code NATS_SERVER_BIN}, else the {@code PATH}, else the
 *       usual install directories), started on a free loopback port with JetStream and a
 *       temporary store directory;
 *   <li>a container of the official {@code nats} image through Testcontainers, when a Docker
 *       engine is reachable ({@code NATS_IMAGE} overrides the image);
 *   <li>otherwise the tests are skipped with a message saying how to enable them, except under
 *       {@code CI=true}, where they fail.
 * </ol>
 *
 * <p>Use it either way:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final NatsServerExtension nats = NatsServerExtension.create();
 * ... Options.builder().server(nats.url()) ...
 *
 * @ExtendWith(NatsServerExtension.class)
 * class MyTest {
 *   @Test void talks(NatsServer server) { ... server.url() ... }
 * }
 * }</pre>
 *
 * <p>Registered on a static field or with {@code @ExtendWith}, one server serves the whole test
 * class; on an instance field, each test method gets its own. {@link #startServer} starts further
 * servers (with a user and password, a token, TLS, ...), and every server the extension started is
 * stopped after the tests that own it; a JVM shutdown hook stops any that are left if the run ends
 * early. Thread-safe.
 */
public final class NatsServerExtension implements BeforeAllCallback, AfterAllCallback,
    BeforeEachCallback, AfterEachCallback, ParameterResolver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NatsServerExtension.class);

  private final NatsServerSpec defaultSpec;
  private final ServerLocator locator;
  private @Nullable NatsServer server;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private boolean classScoped;

  /** An extension whose default server has no authentication; used by {@code @ExtendWith}. */
  public NatsServerExtension() {
    this(NatsServerSpec.defaults(), ServerLocator.system());
  }

  NatsServerExtension(NatsServerSpec defaultSpec, ServerLocator locator) {
    this.defaultSpec = Objects.requireNonNull(defaultSpec, "defaultSpec");
    this.locator = locator;
  }

  /** An extension whose default server has no authentication (or is {@code NATS_URL}). */
  public static NatsServerExtension create() {
    return new NatsServerExtension();
  }

  /**
   * An extension whose default server is started with {@code spec}. Such a server is always one
   * the extension starts itself: {@code NATS_URL} is not used for it.
   */
  public static NatsServerExtension create(NatsServerSpec spec) {
    return new NatsServerExtension(spec, ServerLocator.system());
  }

  // ------------------------------------------------------------------ API

  /**
   * The default server, started on first use.
   *
   * @throws org.opentest4j.TestAbortedException when no server is available (the test is
   *     skipped)
   * @throws IllegalStateException when no server is available under {@code CI=true}, or one did
   *     not start
   */
  public synchronized NatsServer server() {
    NatsServer s = server;
    if (s == null) {
      if (defaultSpec == NatsServerSpec.defaults() && locator.natsUrl() != null) {
        s = new ExternalNatsServer(Objects.requireNonNull(locator.natsUrl()));
        log.info("Using the NATS server given by NATS_URL: {}", s.url());
      } else {
        s = startManaged(defaultSpec);
      }
      server = s;
    }
    return s;
  }

  /** The default server's URL: shorthand for {@code server().url()}. */
  public String url() {
    return server().url();
  }

  /**
   * Starts a further server, always one the extension manages (never {@code NATS_URL}), so that
   * it can have its own authentication and be stopped and restarted. It is stopped with the
   * default server.
   *
   * @throws org.opentest4j.TestAbortedException when no server can be started (the test is
   *     skipped)
   * @throws IllegalStateException under {@code CI=true} when no server can be started, or when
   *     it did not start
   */
  public synchronized NatsServer startServer(NatsServerSpec spec) {
    return startManaged(Objects.requireNonNull(spec, "spec"));
  }

  /** Stops every server this extension started. Further use starts new ones. */
  @Override
  public synchronized void close() {
    RuntimeException failure = null;
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Could not stop a NATS server: " + c, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    owned.clear();
    server = null;
    if (failure != null) {
      throw failure;
    }
  }

  // ------------------------------------------------------------------ JUnit callbacks

  @Override
  public void beforeAll(ExtensionContext context) {
    synchronized (this) {
      classScoped = true;
    }
    server();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    server();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    boolean perMethod;
    synchronized (this) {
      perMethod = !classScoped;
    }
    if (perMethod) {
      close();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == NatsServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server();
  }

  // ------------------------------------------------------------------ internals

  private NatsServer startManaged(NatsServerSpec spec) {
    Path binary = locator.natsServerBinary();
    if (binary != null) {
      NatsProcess p = NatsProcess.create(binary, "agentbus-test-" + owned.size(), spec);
      owned.add(p);
      p.start();
      log.info("Started {} from {}", p, binary);
      return p;
    }
    if (locator.dockerAvailable()) {
      ContainerNatsServer c = ContainerNatsServer.start(spec, System.getenv("NATS_IMAGE"));
      owned.add(c);
      log.info("Started {}", c);
      return c;
    }
    return unavailable(locator);
  }

  static NatsServer unavailable(ServerLocator locator) {
    String message = ServerLocator.howToEnable();
    if (locator.isCi()) {
      throw new IllegalStateException(message);
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  @Override
  public String toString() {
    return "NatsServerExtension{default=" + defaultSpec + ", server=" + server + "}";
  }
}
