package io.agentbus.opentelemetry;

import static io.agentbus.opentelemetry.Spans.one;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client nobody here wrote, nats-py, sends a request carrying its own {@code traceparent} and
 * {@code baggage}; the AgentBus agent's server span continues that trace, and the reply's headers
 * carry it back. The Python comes from {@code AGENTBUS_INTEROP_PYTHON} (the interop venv); without
 * it the test fails under {@code CI=true} and is skipped otherwise.
 */
class ForeignClientTraceTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";
  private static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-01");

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private static final String SCRIPT = String.join("\n",
      "import asyncio, json, sys, nats",
      "async def main():",
      "    nc = await nats.connect(sys.argv[1])",
      "    body = json.dumps({'from_agent': 'py-client', 'to_agent': 'architect-001',",
      "        'message_type': 'resource_request', 'content': {'resource': 'task_model'},",
      "        'timestamp': '2026-12-06T12:00:00', 'correlation_id': 'py-corr-1'})",
      "    msg = await nc.request('orchestrator.agent.architect-001.resource_request',",
      "        body.encode(), timeout=10, headers={",
      "        'traceparent': '00-" + TRACE_ID + "-" + SPAN_ID + "-01',",
      "        'baggage': 'tenant=acme'})",
      "    print('REPLY-HEADERS ' + json.dumps(msg.headers or {}))",
      "    print('REPLY-BODY ' + msg.data.decode())",
      "    await nc.close()",
      "asyncio.run(main())",
      "");

  @Test
  void aForeignTraceparentIsContinuedInTheReply() throws Exception {
    Path python = python();
    Spans spans = new Spans();
    try (MessageBus bus = MessageBus.builder()
        .transport(NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
            .build()))
        .codec(JsonCodec.create())
        .addExtension(AgentBusTracing.create(spans.sdk))
        .build()) {
      bus.subscribeToAgentMessages("architect-001", d -> d.reply(MessageType.RESOURCE_RESPONSE,
          Map.of("status", "ready", "tenant",
              String.valueOf(io.opentelemetry.api.baggage.Baggage.current()
                  .getEntryValue("tenant")))));
      bus.flush(Duration.ofSeconds(5));

      String out = runPython(python, nats.url());
      Matcher m = Pattern.compile("REPLY-HEADERS (.*)").matcher(out);
      assertThat(m.find()).as("python output:\n%s", out).isTrue();
      Matcher tp = Pattern.compile("\"traceparent\": \"([^\"]+)\"").matcher(m.group(1));
      assertThat(tp.find()).as("reply headers %s", m.group(1)).isTrue();
      Matcher parts = TRACEPARENT.matcher(tp.group(1));
      assertThat(parts.matches()).as("traceparent %s", tp.group(1)).isTrue();
      assertThat(parts.group(1)).as("trace id of the reply").isEqualTo(TRACE_ID);
      assertThat(parts.group(2)).as("span id of the reply").isNotEqualTo(SPAN_ID);
      assertThat(m.group(1)).contains("\"baggage\": \"tenant=acme\"");
      // the handler saw the foreign baggage as the current OpenTelemetry baggage
      assertThat(out).contains("\"tenant\":\"acme\"");

      List<SpanData> all = spans.await(2); // the server span and the reply's producer span
      SpanData served = one(all, "process orchestrator.agent.architect-001.resource_request",
          SpanKind.SERVER);
      assertThat(served.getTraceId()).isEqualTo(TRACE_ID);
      assertThat(served.getParentSpanId()).isEqualTo(SPAN_ID);
      assertThat(served.getParentSpanContext().isRemote()).isTrue();
      SpanData reply = one(all, "publish (temporary)", SpanKind.PRODUCER);
      assertThat(reply.getParentSpanId()).isEqualTo(served.getSpanId());
      assertThat(parts.group(2)).isEqualTo(reply.getSpanId());
    }
  }

  static Path python() {
    String env = System.getenv("AGENTBUS_INTEROP_PYTHON");
    Path python = env == null || env.isBlank() ? null : Path.of(env);
    if (python == null || !Files.isExecutable(python)) {
      String why = "AGENTBUS_INTEROP_PYTHON does not name a Python with nats-py (was " + env
          + "); set it to interop/python/.venv/bin/python";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(why);
      }
      Assumptions.abort(why);
    }
    return python;
  }

  static String runPython(Path python, String url) throws IOException, InterruptedException {
    Path script = Files.createTempFile("agentbus-trace", ".py");
    try {
      Files.writeString(script, SCRIPT);
      Process p = new ProcessBuilder(python.toString(), script.toString(), url)
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("python finished").isTrue();
      assertThat(p.exitValue()).as("python exit; output:\n%s", out).isZero();
      return out;
    } finally {
      Files.deleteIfExists(script);
    }
  }
}
