package io.agentbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.test.nats.NatsServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard in a real browser: headless Chromium loads the page while agents heartbeat and
 * talk on a real nats-server, and the test reads what a person would see: the agents by name and
 * state, rates above zero, a dead letter once one is caused.
 */
class DashboardInBrowserTest {
  @RegisterExtension static final NatsServerExtension nats = NatsServerExtension.create();

  @Test
  void thePageShowsLiveAgentsRatesAndADeadLetter() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    if (!ci) {
      Assumptions.assumeTrue(Files.isExecutable(HeadlessChromium.executable()),
          "Chromium is not installed (apt-get install chromium); CI=true makes this a failure");
    }
    AgentBusConfig config = CliOnNatsTest.agentsConfig(nats.url(), Map.of(
        "agentbus.queue.tests.durable", "true", "agentbus.queue.tests.max-deliveries", "1"));
    try (AgentHost host = config.newAgentHost(config.newMessageBus())) {
      var context = config.agentContextBuilder(host.bus()).build();
      host.start(Duration.ofSeconds(10), new CliOnNatsTest.Architect(context),
          new CliOnNatsTest.Parser(context));
      MessageBus bus = host.bus();
      bus.createWorkQueue("tests", d -> {
        throw new IllegalStateException("flaky test runner");
      }, 1);

      Cli.Running dashboard = Cli.on(nats.url()).start("dashboard", "--port", "0");
      await().atMost(Duration.ofSeconds(20)).until(() -> dashboard.out().contains("http://"));
      Matcher m = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/)").matcher(dashboard.out());
      assertThat(m.find()).as(dashboard.out()).isTrue();
      String url = m.group(1);

      try (HeadlessChromium chromium = new HeadlessChromium()) {
        HeadlessChromium.Page page = chromium.open(url);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          assertThat(page.eval("document.getElementById('connection').textContent"))
              .isEqualTo("live");
          assertThat(page.eval("[...document.querySelectorAll('#agents tbody tr')]"
              + ".map(r => r.dataset.agent + '=' + r.querySelector('.state').textContent)"
              + ".join(',')")).contains("architect-001=alive", "parser-dev-001=alive");
          assertThat(Double.parseDouble(page.eval("document.querySelector("
              + "'#rates tr[data-type=heartbeat] .rate')?.textContent || '0'"))).isPositive();
        });

        // traffic between agents shows on the graph and in the list; a failing item is a dead letter
        bus.endpoint("parser-dev-001").request("architect-001", MessageType.RESOURCE_REQUEST,
            Map.of("resource", "task_model"), Duration.ofSeconds(5));
        bus.endpoint("parser-dev-001").publishToQueue("tests", MessageType.TASK_ASSIGNMENT,
            Map.of("test", "t-9"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          assertThat(page.eval("document.getElementById('deadletters').tBodies[0].textContent"))
              .contains("orchestrator.queue.tests", "flaky test runner");
          assertThat(page.eval("document.getElementById('graph').textContent"))
              .contains("parser-dev-001", "architect-001");
          assertThat(page.eval("document.getElementById('recent').textContent"))
              .contains("parser-dev-001 → architect-001 resource_request");
          assertThat(page.eval("document.querySelector('#latency').textContent"))
              .contains("p50");
          assertThat(page.eval("document.querySelector('#queues tr[data-queue=tests]')"
              + "?.textContent || ''")).startsWith("tests");
        });
        page.screenshot(Path.of("target", "dashboard.png"));
      }
      assertThat(dashboard.stop()).isZero();
      assertThat(dashboard.err()).contains("agentbus dashboard: stopped");
    }
  }
}
