package io.agentbus.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The demo, run as its own process with nothing but environment variables ({@code
 * AGENTBUS_TRACING=otel} and the standard {@code OTEL_*}), exports its spans over OTLP/HTTP to a
 * receiver in this test, which decodes the protobuf requests; with no {@code OTEL_*} variable it
 * exports nothing and fails nothing.
 */
class Phase11DemoOtlpExportTest {
  private final List<byte[]> requests = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private HttpServer receiver;

  /** One span of an OTLP export request, as the wire carries it. */
  record ExportedSpan(String service, String traceId, String spanId, String parentSpanId,
      String name, long kind) {}

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void theFlowReachesAnOtlpReceiverAsOneTraceWhenOtelVariablesNameIt() throws Exception {
    startReceiver();
    String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort();
    Run run = runDemo(Map.of("AGENTBUS_TRACING", "otel", "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_SERVICE_NAME", "phase11-demo"));
    assertThat(run.exitCode).as("demo output:%n%s", run.output).isZero();

    assertThat(contentTypes).isNotEmpty().allMatch(t -> t.startsWith("application/x-protobuf"));
    List<ExportedSpan> spans = new ArrayList<>();
    for (byte[] r : requests) {
      spans.addAll(decode(r));
    }
    assertThat(spans).extracting(ExportedSpan::service).containsOnly("phase11-demo");
    ExportedSpan work = one(spans, "write the TaskParser");
    ExportedSpan request = one(spans, "request orchestrator.agent.architect-001.resource_request");
    ExportedSpan served = one(spans, "process orchestrator.agent.architect-001.resource_request");
    assertThat(work.parentSpanId()).as("the work span is a root").isEmpty();
    assertThat(request.parentSpanId()).isEqualTo(work.spanId());
    assertThat(served.parentSpanId()).isEqualTo(request.spanId());
    assertThat(List.of(request, served)).extracting(ExportedSpan::traceId)
        .containsOnly(work.traceId());
    assertThat(request.kind()).as("SPAN_KIND_CLIENT").isEqualTo(3);
    assertThat(served.kind()).as("SPAN_KIND_SERVER").isEqualTo(2);
    assertThat(spans).filteredOn(s -> s.name().equals(
            "publish orchestrator.broadcast.task_complete") && s.traceId().equals(work.traceId()))
        .as("the parser's completion and the decomposer's reaction").hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void withoutOtelVariablesNothingIsExportedAndNothingFails() throws Exception {
    Run run = runDemo(Map.of("AGENTBUS_TRACING", "otel"));
    assertThat(run.exitCode).as("demo output:%n%s", run.output).isZero();
    assertThat(run.output).contains("traces exporter: none")
        .doesNotContain("Failed to export").doesNotContain("Exception");
  }

  private void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/v1/traces", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        if (!exchange.getRequestMethod().equals("POST")) {
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
        requests.add(in.readAllBytes());
        exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
      } finally {
        exchange.close();
      }
    });
    receiver.start();
  }

  private record Run(int exitCode, String output) {}

  /** The demo's main class in a child JVM whose environment has no OTEL_* but {@code env}. */
  private static Run runDemo(Map<String, String> env) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.log.io.agentbus.opentelemetry=info",
        Phase11Demo.class.getName()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("OTEL_") || k.startsWith("AGENTBUS_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes(); // until the child closes it, as it exits
    boolean exited = p.waitFor(2, TimeUnit.MINUTES);
    if (!exited) {
      p.destroyForcibly();
    }
    String output = new String(out, StandardCharsets.UTF_8);
    assertThat(exited).as("the demo exited; output:%n%s", output).isTrue();
    return new Run(p.exitValue(), output);
  }

  private static ExportedSpan one(List<ExportedSpan> spans, String name) {
    List<ExportedSpan> found = spans.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(found).as("%s among %s", name, spans.stream().map(ExportedSpan::name).toList())
        .hasSize(1);
    return found.get(0);
  }

  // ExportTraceServiceRequest{1: ResourceSpans{1: Resource{1: KeyValue}, 2: ScopeSpans{2: Span}}}
  static List<ExportedSpan> decode(byte[] request) throws IOException {
    List<ExportedSpan> spans = new ArrayList<>();
    for (ByteString rs : UnknownFieldSet.parseFrom(request).getField(1).getLengthDelimitedList()) {
      UnknownFieldSet resourceSpans = UnknownFieldSet.parseFrom(rs);
      String service = "";
      for (ByteString resource : resourceSpans.getField(1).getLengthDelimitedList()) {
        for (ByteString kv : UnknownFieldSet.parseFrom(resource).getField(1)
            .getLengthDelimitedList()) {
          UnknownFieldSet attribute = UnknownFieldSet.parseFrom(kv);
          if (string(attribute, 1).equals("service.name")) {
            service = string(UnknownFieldSet.parseFrom(
                attribute.getField(2).getLengthDelimitedList().get(0)), 1);
          }
        }
      }
      for (ByteString ss : resourceSpans.getField(2).getLengthDelimitedList()) {
        for (ByteString s : UnknownFieldSet.parseFrom(ss).getField(2).getLengthDelimitedList()) {
          UnknownFieldSet span = UnknownFieldSet.parseFrom(s);
          List<Long> kind = span.getField(6).getVarintList();
          spans.add(new ExportedSpan(service, hex(span, 1), hex(span, 2), hex(span, 4),
              string(span, 5), kind.isEmpty() ? 0 : kind.get(0)));
        }
      }
    }
    return spans;
  }

  private static String string(UnknownFieldSet m, int field) {
    List<ByteString> v = m.getField(field).getLengthDelimitedList();
    return v.isEmpty() ? "" : v.get(0).toStringUtf8();
  }

  private static String hex(UnknownFieldSet m, int field) {
    List<ByteString> v = m.getField(field).getLengthDelimitedList();
    return v.isEmpty() ? "" : HexFormat.of().formatHex(v.get(0).toByteArray());
  }
}
