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

  private static void requireChromium() {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(Files.isExecutable(HeadlessChromium.executable()),
          "Chromium is not installed (apt-get install chromium); CI=true makes this a failure");
    }
  }

  private static String startDashboard(Cli.Running dashboard) {
    await().atMost(Duration.ofSeconds(20)).until(() -> dashboard.out().contains("http://"));
    Matcher m = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/)").matcher(dashboard.out());
    assertThat(m.find()).as(dashboard.out()).isTrue();
    return m.group(1);
  }

  @Test
  void theSeedsPhase11DemoCanBeFollowedOnThePage() throws Exception {
    requireChromium();
    Cli.Running dashboard = Cli.on(nats.url()).start("dashboard", "--port", "0");
    String url = startDashboard(dashboard);
    try (HeadlessChromium chromium = new HeadlessChromium()) {
      HeadlessChromium.Page page = chromium.open(url);
      await().atMost(Duration.ofSeconds(20)).until(() ->
          page.eval("document.getElementById('connection').textContent").equals("live"));

      // the demo as its README runs it on NATS: AGENTBUS_TRANSPORT=nats NATS_URL=...
      System.setProperty("agentbus.transport", "nats");
      System.setProperty("agentbus.nats.url", nats.url());
      try {
        io.agentbus.examples.Phase11Demo.main(new String[0]);
      } finally {
        System.clearProperty("agentbus.transport");
        System.clearProperty("agentbus.nats.url");
      }

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(page.eval("[...document.querySelectorAll('#agents tbody tr')]"
            + ".map(r => r.dataset.agent).join(',')")).contains("architect-001",
            "parser-dev-001", "decomposer-001", "test-coordinator", "test-worker-1",
            "test-worker-3", "orchestrator");
        assertThat(page.eval("document.getElementById('graph').textContent"))
            .contains("queue:test_execution");
        assertThat(page.eval("document.getElementById('recent').textContent"))
            .contains("task_complete");
        // the rate is of the last 20 s, which a slow machine may have left behind: the total stays
        assertThat(Long.parseLong(page.eval("document.querySelector("
            + "'#rates tr[data-type=task_complete] .total')?.textContent || '0'"))).isPositive();
        assertThat(page.eval("document.querySelector('#latency').textContent")).contains("p50");
      });
      page.screenshot(Path.of("target", "dashboard-phase11.png"));
    }
    assertThat(dashboard.stop()).isZero();
  }

  @Test
  void thePageShowsLiveAgentsRatesAndADeadLetter() throws Exception {
    requireChromium();
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
      String url = startDashboard(dashboard);

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
        // a few requests: the dashboard sees a request and its reply on two subscriptions, whose
        // handlers may run out of order on a loaded machine, and then skips that sample
        for (int i = 0; i < 5; i++) {
          bus.endpoint("parser-dev-001").request("architect-001", MessageType.RESOURCE_REQUEST,
              Map.of("resource", "task_model"), Duration.ofSeconds(5));
        }
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

        // the replay button: the item goes back to its queue's stream (and fails again there)
        String seq = page.eval("document.querySelector('#deadletters tbody tr').dataset.seq");
        page.eval("document.querySelector('#deadletters button').click()");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(page.eval("document.getElementById('replay-result').textContent"))
                .isEqualTo("#" + seq + ": stored (removed from dead letters)"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(page.eval("[...document.querySelectorAll('#deadletters tbody tr')]"
                + ".map(r => r.dataset.seq).join(',')")).doesNotContain(seq).isNotEmpty());
      }
      assertThat(dashboard.stop()).isZero();
      assertThat(dashboard.err()).contains("agentbus dashboard: stopped");
    }
  }
}
