package io.agentbus.agent.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.util.Modules;
import io.agentbus.AgentMessage;
import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.codec.protobuf.ProtobufCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.time.Scheduler;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class AgentBusModuleTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** An agent as a user writes it: it knows nothing of transports, codecs or clocks. */
  static final class Architect extends AbstractAgent {
    @Inject
    Architect(AgentContext context) {
      super(context);
    }

    @Override
    public String id() {
      return "architect-001";
    }

    @Override
    protected void configure(io.agentbus.agent.Handlers h) {
      h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE,
          r -> Map.of("resource", "task_model", "status", "ready"));
    }
  }

  private static AgentBusConfig config(Map<String, String> props) {
    return AgentBusConfig.fromProperties(props);
  }

  @Test
  void defaultsBindOneInMemoryJsonBusSharedByEveryAgent() throws Exception {
    Injector injector = Guice.createInjector(new AgentBusModule(config(Map.of())));
    try (AgentHost host = injector.getInstance(AgentHost.class)) {
      MessageBus bus = injector.getInstance(MessageBus.class);
      assertThat(injector.getInstance(MessageBus.class)).isSameAs(bus);
      assertThat(host.bus()).isSameAs(bus);
      assertThat(bus.transport()).isInstanceOf(InMemoryTransport.class)
          .isSameAs(injector.getInstance(Transport.class));
      assertThat(bus.codec()).isInstanceOf(JsonCodec.class);
      assertThat(bus.subjects().namespace()).isEqualTo("orchestrator");
      assertThat(injector.getInstance(Scheduler.class)).isSameAs(Scheduler.system());

      Architect a = injector.getInstance(Architect.class);
      Architect b = injector.getInstance(Architect.class);
      assertThat(a).isNotSameAs(b);
      host.start(WAIT, a);
      AgentMessage reply = bus.request("parser-dev-001", "architect-001",
          MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);
      assertThat(reply.content()).containsEntry("status", "ready");
    }
    assertThat(injector.getInstance(MessageBus.class).isClosed()).isTrue();
  }

  @Test
  void configurationReachesTheBindings() {
    Injector injector = Guice.createInjector(new AgentBusModule(config(Map.of(
        "agentbus.namespace", "acme.prod",
        "agentbus.heartbeat.interval", "10s",
        "agentbus.monitor.dead-after", "25s",
        "agentbus.request.timeout", "3s"))));
    MessageBus bus = injector.getInstance(MessageBus.class);
    try {
      assertThat(bus.subjects().namespace()).isEqualTo("acme.prod");
      assertThat(bus.defaultRequestTimeout()).isEqualTo(Duration.ofSeconds(3));
      AgentContext context = injector.getInstance(AgentContext.class);
      assertThat(context.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
      assertThat(context.shutdownHook()).isFalse();
      assertThat(injector.getInstance(OrchestratorMonitor.Builder.class).build().deadAfter())
          .isEqualTo(Duration.ofSeconds(25));
    } finally {
      bus.close();
    }
  }

  @Test
  void aTestSwapsTheClockWithoutTouchingTheAgent(VirtualScheduler time) throws Exception {
    Injector injector = Guice.createInjector(Modules.override(new AgentBusModule(config(Map.of())))
        .with(binder -> binder.bind(Scheduler.class).toInstance(time)));
    MessageBus bus = injector.getInstance(MessageBus.class);
    BlockingQueue<AgentMessage> beats = new LinkedBlockingQueue<>();
    bus.subscribeToBroadcasts(MessageType.HEARTBEAT, d -> beats.add(d.message()));

    try (AgentHost host = injector.getInstance(AgentHost.class)) {
      Architect architect = injector.getInstance(Architect.class);
      assertThat(injector.getInstance(AgentContext.class).scheduler()).isSameAs(time);
      host.start(WAIT, architect);
      AgentMessage first = beats.poll(10, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(first.timestamp()).isEqualTo(time.now());

      time.advance(Duration.ofSeconds(30));
      AgentMessage second = beats.poll(10, TimeUnit.SECONDS);
      assertThat(second).isNotNull();
      assertThat(second.timestamp()).isEqualTo(first.timestamp().plusSeconds(30));
      assertThat(beats).isEmpty();
    }
  }

  @Test
  void anUnknownTransportFailsAtStartupListingTheValidOnes() {
    assertThatThrownBy(() -> Guice.createInjector(
        new AgentBusModule(config(Map.of("agentbus.transport", "rabbitmq")))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'rabbitmq'")
        .hasMessageContaining("agentbus.transport")
        .hasMessageContaining("valid values are inmemory, nats");
  }

  @Test
  void protobufPublishesProtobufAndStillDecodesTheSeedsHeaderlessJson() throws Exception {
    Injector injector = Guice.createInjector(
        new AgentBusModule(config(Map.of("agentbus.codec", "protobuf"))));
    MessageBus bus = injector.getInstance(MessageBus.class);
    try {
      assertThat(injector.getInstance(Codec.class)).isInstanceOf(ProtobufCodec.class);
      assertThat(bus.codec()).isInstanceOf(ProtobufCodec.class);
      BlockingQueue<AgentMessage> got = new LinkedBlockingQueue<>();
      bus.subscribeToBroadcasts(MessageType.HEARTBEAT, d -> got.add(d.message()));

      // exactly what a seed Python agent puts on the wire: JSON, no headers
      byte[] seed = ("{\"from_agent\": \"my-agent-001\", \"to_agent\": null, \"message_type\": "
          + "\"heartbeat\", \"content\": {\"status\": \"alive\"}, \"timestamp\": "
          + "\"2025-12-05T14:30:30.123456+00:00\", \"correlation_id\": null}")
          .getBytes(StandardCharsets.UTF_8);
      bus.transport().publish("orchestrator.broadcast.heartbeat", null, Headers.empty(), seed);
      // and a Java agent publishing with the primary codec
      bus.broadcast("java-agent-001", MessageType.HEARTBEAT, Map.of("status", "alive"));

      AgentMessage a = got.poll(10, TimeUnit.SECONDS);
      AgentMessage b = got.poll(10, TimeUnit.SECONDS);
      assertThat(a).isNotNull();
      assertThat(b).isNotNull();
      assertThat(a.fromAgent()).isEqualTo("my-agent-001");
      assertThat(a.content()).containsEntry("status", "alive");
      assertThat(b.fromAgent()).isEqualTo("java-agent-001");
      assertThat(bus.stats().decodeFailures()).isZero();
    } finally {
      bus.close();
    }
  }

  @Test
  void aJsonBusUnderstandsAgentsConfiguredForProtobuf() throws Exception {
    Injector injector = Guice.createInjector(new AgentBusModule(config(Map.of())));
    MessageBus bus = injector.getInstance(MessageBus.class);
    try {
      BlockingQueue<AgentMessage> got = new LinkedBlockingQueue<>();
      bus.subscribeToBroadcasts(MessageType.STATUS_UPDATE, d -> got.add(d.message()));
      AgentMessage sent = AgentMessage.builder().fromAgent("proto-agent-001")
          .messageType(MessageType.STATUS_UPDATE).content(Map.of("status", "completed")).build();
      bus.transport().publish("orchestrator.broadcast.status_update", null,
          Headers.of(Headers.CONTENT_TYPE, ProtobufCodec.CONTENT_TYPE),
          ProtobufCodec.create().encode(sent));

      AgentMessage received = got.poll(10, TimeUnit.SECONDS);
      assertThat(received).isEqualTo(sent);
    } finally {
      bus.close();
    }
  }

  @Test
  void theSelectedModulesAreInstalledOnceEvenIfTheUserInstallsThemToo() {
    Injector injector = Guice.createInjector(new AgentBusModule(config(Map.of())),
        new InMemoryTransportModule(), new JsonCodecModule());
    MessageBus bus = injector.getInstance(MessageBus.class);
    bus.close();
    assertThat(AgentBusModule.transportModule(config(Map.of("agentbus.transport", "nats"))))
        .isInstanceOf(NatsTransportModule.class);
    assertThat(AgentBusModule.codecModule(config(Map.of("agentbus.codec", "protobuf"))))
        .isInstanceOf(ProtobufCodecModule.class);
  }
}
