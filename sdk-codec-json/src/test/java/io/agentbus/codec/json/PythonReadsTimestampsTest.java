package io.agentbus.codec.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The seed's Python agents read every timestamp this codec writes: {@code python3} itself parses
 * the encoded messages with {@code json.loads} and {@code datetime.fromisoformat}, as a Python
 * agent does, for three, six and nine fraction digits. Python 3.11 reads nine digits and keeps the
 * first six (a {@code datetime} holds microseconds); older versions read neither nine digits nor
 * the {@code Z} every AgentBus timestamp ends with.
 *
 * <p>Skipped, saying why, when {@code python3} is not on the PATH, except under {@code CI=true},
 * where it must be.
 */
class PythonReadsTimestampsTest {
  /** Reads messages from stdin, one per line; prints each timestamp and its epoch microseconds. */
  private static final String READER = String.join("\n",
      "import json, sys",
      "from datetime import datetime, timezone",
      "epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)",
      "print(sys.version.split()[0])",
      "for line in sys.stdin:",
      "    m = json.loads(line)",
      "    t = datetime.fromisoformat(m['timestamp'])",
      "    d = t - epoch",
      "    print(m['timestamp'], (d.days * 86400 + d.seconds) * 1000000 + d.microseconds)");

  @Test
  void python3ParsesTimestampsWrittenWithThreeSixAndNineDigits() throws Exception {
    List<Instant> instants = List.of(
        Instant.parse("2025-12-05T14:30:30.123Z"),
        Instant.parse("2025-12-05T14:30:30.123456Z"),
        Instant.parse("2025-12-05T14:30:30.123456789Z"),
        Instant.parse("2025-12-05T14:30:30.000000001Z"),
        Instant.parse("1969-12-31T23:59:59.999999Z"),
        Instant.parse("1969-12-31T23:59:59.999999999Z"),
        Instant.parse("0001-01-01T00:00:00.000001Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z"));
    JsonCodec codec = JsonCodec.create();
    StringBuilder stdin = new StringBuilder();
    for (Instant t : instants) {
      AgentMessage m = AgentMessage.builder().fromAgent("java-agent-001")
          .messageType(MessageType.HEARTBEAT).content(Map.of("status", "alive")).timestamp(t)
          .build();
      stdin.append(new String(codec.encode(m), UTF_8)).append('\n');
    }

    List<String> lines = runPython(stdin.toString());

    assertThat(lines.get(0)).as("python3 version").matches("3\\.(1[1-9]|[2-9]\\d)\\..*");
    List<String> expected = new ArrayList<>();
    for (Instant t : instants) {
      // Python's datetime keeps microseconds: the ninth-digit form loses its last three digits
      long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
      expected.add(t + " " + micros);
    }
    assertThat(lines.subList(1, lines.size()))
        .as("timestamps as written, and as Python read them (epoch microseconds)")
        .containsExactlyElementsOf(expected);
    assertThat(lines.subList(1, lines.size())).extracting(line -> line.indexOf('Z') - 20)
        .as("fraction digits written").containsExactly(3, 6, 9, 9, 6, 9, 6, 9);
  }

  private static List<String> runPython(String stdin) throws Exception {
    Process python;
    try {
      python = new ProcessBuilder("python3", "-c", READER).start();
    } catch (IOException e) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("python3 must be on the PATH under CI=true: " + e, e);
      }
      return Assumptions.abort("python3 is not on the PATH (" + e.getMessage()
          + "): the check that Python agents read AgentBus timestamps did not run");
    }
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(python, false));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(python, true));
    try (OutputStream in = python.getOutputStream()) {
      in.write(stdin.getBytes(UTF_8));
    }
    if (!python.waitFor(60, TimeUnit.SECONDS)) {
      python.destroyForcibly();
      throw new AssertionError("python3 did not finish within 60 s");
    }
    assertThat(python.exitValue()).as("python3 exit status; stderr: %s", err.get()).isZero();
    return List.of(out.get().split("\n"));
  }

  private static String read(Process process, boolean stderr) {
    try {
      return new String((stderr ? process.getErrorStream() : process.getInputStream())
          .readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
