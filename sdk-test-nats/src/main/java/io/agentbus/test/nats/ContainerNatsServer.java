package io.agentbus.test.nats;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A container of the official {@code nats} image, started through Testcontainers when no {@code
 * nats-server} binary is installed but a Docker engine is reachable. The client port is bound to a
 * fixed host port so that {@link #stop()} and {@link #start()} (docker stop / docker start of the
 * same container) keep the URL clients reconnect to.
 *
 * <p>The image can be overridden with the {@code NATS_IMAGE} environment variable.
 */
final class ContainerNatsServer implements NatsServer, AutoCloseable {
  static final String DEFAULT_IMAGE = "nats:2.10";
  private static final int NATS_PORT = 4222;
  private static final String CONF = "/etc/nats/agentbus.conf";
  private static final String CERT = "/etc/nats/tls/cert.pem";
  private static final String KEY = "/etc/nats/tls/key.pem";
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final GenericContainer<?> container;
  private final int hostPort;
  private boolean running;

  private ContainerNatsServer(GenericContainer<?> container, int hostPort) {
    this.container = container;
    this.hostPort = hostPort;
  }

  static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  static ContainerNatsServer start(NatsServerSpec spec, @Nullable String image) {
    int hostPort = NatsProcess.freePort();
    List<String> args = new ArrayList<>();
    if (spec.config() != null) {
      args.add("-c");
      args.add(CONF);
    }
    args.add("-p");
    args.add(Integer.toString(NATS_PORT));
    if (spec.jetStream()) {
      args.add("-js");
      args.add("-sd");
      args.add("/tmp/nats/jetstream");
    }
    if (spec.user() != null) {
      args.add("--user");
      args.add(spec.user());
      args.add("--pass");
      args.add(String.valueOf(spec.password()));
    }
    if (spec.token() != null) {
      args.add("--auth");
      args.add(spec.token());
    }
    if (spec.tlsCert() != null) {
      args.add("--tls");
      args.add("--tlscert");
      args.add(CERT);
      args.add("--tlskey");
      args.add(KEY);
    }
    @SuppressWarnings("resource")
    GenericContainer<?> c = new GenericContainer<>(
        DockerImageName.parse(image == null || image.isBlank() ? DEFAULT_IMAGE : image))
        .withExposedPorts(NATS_PORT)
        .withCommand(args.toArray(String[]::new))
        .waitingFor(Wait.forLogMessage(".*Server is ready.*", 1).withStartupTimeout(STARTUP))
        .withCreateContainerCmdModifier(cmd -> bindFixedPort(cmd, hostPort));
    if (spec.config() != null) {
      c.withCopyToContainer(Transferable.of(spec.config()), CONF);
    }
    if (spec.tlsCert() != null && spec.tlsKey() != null) {
      c.withCopyFileToContainer(MountableFile.forHostPath(spec.tlsCert()), CERT);
      c.withCopyFileToContainer(MountableFile.forHostPath(spec.tlsKey()), KEY);
    }
    try {
      c.start();
    } catch (RuntimeException e) {
      String logs;
      try {
        logs = c.getLogs();
      } catch (RuntimeException noLogs) {
        logs = "(no logs: " + noLogs.getMessage() + ")";
      }
      c.stop();
      throw new IllegalStateException("The nats container (" + c.getDockerImageName()
          + ") did not become ready. Its output:\n" + logs, e);
    }
    ContainerNatsServer server = new ContainerNatsServer(c, hostPort);
    server.running = true;
    return server;
  }

  // Testcontainers maps exposed ports to random host ports, which change on a docker start of a
  // stopped container; reconnect tests need the same port back, so the binding is made fixed.
  private static void bindFixedPort(CreateContainerCmd cmd, int hostPort) {
    HostConfig hc = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
    hc.withPortBindings(new PortBinding(Ports.Binding.bindPort(hostPort),
        ExposedPort.tcp(NATS_PORT)));
    cmd.withHostConfig(hc);
  }

  @Override
  public String url() {
    return "nats://" + host() + ":" + hostPort;
  }

  @Override
  public String host() {
    return container.getHost();
  }

  @Override
  public int port() {
    return hostPort;
  }

  @Override
  public Kind kind() {
    return Kind.CONTAINER;
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }

  @Override
  public boolean canRestart() {
    return true;
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    container.getDockerClient().stopContainerCmd(container.getContainerId())
        .withTimeout(5).exec();
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    ServerProbe.awaitReady(host(), hostPort, STARTUP);
    running = true;
  }

  @Override
  public synchronized void close() {
    running = false;
    container.stop();
  }

  @Override
  public String toString() {
    return "nats container " + url();
  }
}
