package io.agentbus.test.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class ServerLocatorTest {
  @TempDir Path dir;

  private static ServerLocator locator(Map<String, String> env) {
    return new ServerLocator(env, List.of(), () -> false);
  }

  @Test
  void natsUrlIsUsedWhenSetAndNotBlank() {
    assertThat(locator(Map.of("NATS_URL", " nats://a:4222,nats://b:4222 ")).natsUrl())
        .isEqualTo("nats://a:4222,nats://b:4222");
    assertThat(locator(Map.of("NATS_URL", "  ")).natsUrl()).isNull();
    assertThat(locator(Map.of()).natsUrl()).isNull();
  }

  @Test
  void ciIsTrueOnlyForTrue() {
    assertThat(locator(Map.of("CI", "true")).isCi()).isTrue();
    assertThat(locator(Map.of("CI", "TRUE")).isCi()).isTrue();
    assertThat(locator(Map.of("CI", "1")).isCi()).isFalse();
    assertThat(locator(Map.of()).isCi()).isFalse();
  }

  @Test
  void findsTheBinaryOnThePathThenInTheFallbackDirectories() throws IOException {
    Path onPath = Files.createDirectory(dir.resolve("bin"));
    Path fallback = Files.createDirectory(dir.resolve("sbin"));
    Path notExecutable = Files.createFile(onPath.resolve("nats-server"));
    Path real = executable(fallback.resolve("nats-server"));

    ServerLocator l = new ServerLocator(Map.of("PATH", onPath.toString()),
        List.of(fallback.toString()), () -> false);
    assertThat(l.natsServerBinary()).isEqualTo(real);

    Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(l.natsServerBinary()).isEqualTo(notExecutable);
    assertThat(new ServerLocator(Map.of("PATH", dir.toString()), List.of(), () -> false)
        .natsServerBinary()).isNull();
  }

  @Test
  void anExplicitBinaryMustExist() throws IOException {
    Path real = executable(dir.resolve("my-nats"));
    assertThat(locator(Map.of("NATS_SERVER_BIN", real.toString())).natsServerBinary())
        .isEqualTo(real);
    assertThatThrownBy(() -> locator(Map.of("NATS_SERVER_BIN", "/no/such/nats-server"))
        .natsServerBinary()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NATS_SERVER_BIN=/no/such/nats-server");
  }

  @Test
  void dockerIsProbedOnceAndAProbeFailureMeansNoDocker() {
    AtomicInteger probes = new AtomicInteger();
    ServerLocator l = new ServerLocator(Map.of(), List.of(), () -> {
      probes.incrementAndGet();
      throw new IllegalStateException("no docker socket");
    });
    assertThat(l.dockerAvailable()).isFalse();
    assertThat(l.dockerAvailable()).isFalse();
    assertThat(probes).hasValue(1);
  }

  @Test
  void withNoServerAnywhereTheTestsAreSkippedWithHowToEnableThem() {
    NatsServerExtension ext = new NatsServerExtension(NatsServerSpec.defaults(),
        locator(Map.of("PATH", dir.toString())));
    assertThatThrownBy(ext::server).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("NATS_URL").hasMessageContaining("apt-get install nats-server")
        .hasMessageContaining("Docker");
  }

  @Test
  void underCiAMissingServerFailsInsteadOfSkipping() {
    NatsServerExtension ext = new NatsServerExtension(NatsServerSpec.defaults(),
        locator(Map.of("PATH", dir.toString(), "CI", "true")));
    assertThatThrownBy(ext::server).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No NATS server is available");
  }

  @Test
  void natsUrlProvidesTheDefaultServerButNotExtraOnes() {
    NatsServerExtension ext = new NatsServerExtension(NatsServerSpec.defaults(),
        locator(Map.of("NATS_URL", "nats://nats.example:4333", "PATH", dir.toString())));
    NatsServer s = ext.server();
    assertThat(s.kind()).isEqualTo(NatsServer.Kind.EXTERNAL);
    assertThat(s.host()).isEqualTo("nats.example");
    assertThat(s.port()).isEqualTo(4333);
    assertThat(s.canRestart()).isFalse();
    assertThatThrownBy(s::stop).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("NATS_URL");
    // an extra server needs a binary or Docker: neither is there
    assertThatThrownBy(() -> ext.startServer(NatsServerSpec.builder().token("t").build()))
        .isInstanceOf(TestAbortedException.class);
  }

  private static Path executable(Path p) throws IOException {
    Files.createFile(p);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}
