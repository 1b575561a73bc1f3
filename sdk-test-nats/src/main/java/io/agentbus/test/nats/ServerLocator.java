package io.agentbus.test.nats;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Finds where a NATS server for the tests can come from: {@code NATS_URL}, a {@code nats-server}
 * binary, or a Docker engine for Testcontainers. Reads the environment through a map so that the
 * decision can be tested.
 */
final class ServerLocator {
  static final String NATS_URL = "NATS_URL";
  static final String NATS_SERVER_BIN = "NATS_SERVER_BIN";
  static final String CI = "CI";
  static final String BINARY = "nats-server";
  /** Where Debian and manual installs put the binary, for a PATH without the sbin directories. */
  static final List<String> FALLBACK_DIRS =
      List.of("/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin");

  private final Map<String, String> env;
  private final List<String> fallbackDirs;
  private final BooleanSupplier dockerProbe;
  private @Nullable Boolean docker;

  ServerLocator(Map<String, String> env, List<String> fallbackDirs, BooleanSupplier dockerProbe) {
    this.env = env;
    this.fallbackDirs = fallbackDirs;
    this.dockerProbe = dockerProbe;
  }

  static ServerLocator system() {
    return new ServerLocator(System.getenv(), FALLBACK_DIRS,
        ContainerNatsServer::dockerAvailable);
  }

  /** {@code NATS_URL} when set and not blank. */
  @Nullable String natsUrl() {
    String url = env.get(NATS_URL);
    return url == null || url.isBlank() ? null : url.trim();
  }

  /** True under {@code CI=true}: a missing server then fails the tests instead of skipping them. */
  boolean isCi() {
    return "true".equalsIgnoreCase(env.getOrDefault(CI, "").trim());
  }

  /**
   * The {@code nats-server} executable: {@code NATS_SERVER_BIN} when set, else the first on the
   * {@code PATH}, else one in the usual install directories; null when there is none.
   *
   * @throws IllegalStateException when {@code NATS_SERVER_BIN} names no executable file
   */
  @Nullable Path natsServerBinary() {
    String explicit = env.get(NATS_SERVER_BIN);
    if (explicit != null && !explicit.isBlank()) {
      Path p = Path.of(explicit.trim());
      if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
        throw new IllegalStateException(NATS_SERVER_BIN + "=" + explicit
            + " is not an executable file");
      }
      return p;
    }
    List<String> dirs = new ArrayList<>();
    String path = env.get("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isBlank()) {
          dirs.add(dir);
        }
      }
    }
    dirs.addAll(fallbackDirs);
    for (String dir : dirs) {
      Path candidate = Path.of(dir, BINARY);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Whether a Docker engine answers; asked once. */
  synchronized boolean dockerAvailable() {
    if (docker == null) {
      boolean available;
      try {
        available = dockerProbe.getAsBoolean();
      } catch (RuntimeException | LinkageError e) {
        available = false;
      }
      docker = available;
    }
    return docker;
  }

  /** What to do to get a server, for the skip or failure message. */
  static String howToEnable() {
    return "No NATS server is available for these tests. To run them, do one of: "
        + "set NATS_URL=nats://host:4222 to use a running server; "
        + "install nats-server on the PATH (Debian/Ubuntu: apt-get install nats-server; "
        + "or set NATS_SERVER_BIN to the binary); "
        + "or start a Docker engine so that Testcontainers can run the official 'nats' image. "
        + "Under CI=true a missing server fails the build instead of skipping the tests.";
  }
}
