package io.agentbus.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;
import io.agentbus.AgentMessage;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.discovery.AgentInfo;
import io.agentbus.agent.discovery.DuplicateIdPolicy;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.codec.protobuf.ProtobufCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.Transport;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.time.Scheduler;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
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
      assertThat(injector.getInstance(Transport.class)).isInstanceOf(InMemoryTransport.class);
      assertThat(bus.codec()).isInstanceOf(JsonCodec.class);
      assertThat(bus.subjects().namespace()).isEqualTo("orchestrator");
      assertThat(injector.getInstance(Scheduler.class)).isSameAs(Scheduler.system());

      Architect a = injector.getInstance(Architect.class);
      Architect b = injector.getInstance(Architect.class);
      assertThat(a).isNotSameAs(b);
      host.start(WAIT, a);
      AgentMessage reply = bus.endpoint("parser-dev-001").request("architect-001",
          MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);
      assertThat(reply.content()).containsEntry("status", "ready");
      // the started agent answers discovery, on by default
      assertThat(injector.getInstance(AgentDirectory.class).list(Duration.ofMillis(300)))
          .extracting(AgentInfo::agentId).containsExactly("architect-001");
    }
    assertThat(injector.getInstance(MessageBus.class).isClosed()).isTrue();
  }

  @Test
  void configurationReachesTheBindings() {
    Injector injector = Guice.createInjector(new AgentBusModule(config(Map.of(
        "agentbus.namespace", "acme.prod",
        "agentbus.heartbeat.interval", "10s",
        "agentbus.monitor.dead-after", "25s",
        "agentbus.request.timeout", "3s",
        "agentbus.drain.timeout", "2s",
        "agentbus.duplicate-ids", "warn",
        "agentbus.queue.test_execution.durable", "true",
        "agentbus.queue.test_execution.max-deliveries", "3"))));
    MessageBus bus = injector.getInstance(MessageBus.class);
    try {
      assertThat(bus.subjects().namespace()).isEqualTo("acme.prod");
      assertThat(bus.defaultRequestTimeout()).isEqualTo(Duration.ofSeconds(3));
      assertThat(bus.queueOptions("test_execution").isDurable()).isTrue();
      assertThat(bus.queueOptions("test_execution").maxDeliveries()).isEqualTo(3);
      assertThat(bus.queueOptions("other").isDurable()).isFalse();
      AgentContext context = injector.getInstance(AgentContext.class);
      assertThat(context.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
      assertThat(context.drainTimeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(context.duplicateIds()).isEqualTo(DuplicateIdPolicy.WARN);
      assertThat(context.discovery()).isTrue();
      assertThat(context.shutdownHook()).isFalse();
      OrchestratorMonitor.Builder monitor = injector.getInstance(OrchestratorMonitor.Builder.class);
      assertThat(monitor.build().deadAfter()).isEqualTo(Duration.ofSeconds(25));
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

  /** Counts what it sees; a user's module binds it into the set. */
  static final class Counting implements MessageInterceptor {
    final List<String> published = new CopyOnWriteArrayList<>();

    @Override
    public Headers beforePublish(String subject, AgentMessage message, Headers headers,
        byte[] payload) {
      published.add(subject);
      return headers;
    }
  }

  @Test
  void anotherModuleAddsInterceptorsToTheBus() {
    Counting counting = new Counting();
    Injector injector = Guice.createInjector(new AgentBusModule(config(Map.of())),
        new AbstractModule() {
          @Override
          protected void configure() {
            Multibinder.newSetBinder(binder(), MessageInterceptor.class).addBinding()
                .toInstance(counting);
          }
        });
    MessageBus bus = injector.getInstance(MessageBus.class);
    try {
      bus.endpoint("auditor-001").broadcast(MessageType.STATUS_UPDATE, Map.of("ok", true));
      assertThat(counting.published).containsExactly("orchestrator.broadcast.status_update");
    } finally {
      bus.close();
    }
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
      injector.getInstance(Transport.class)
          .publish("orchestrator.broadcast.heartbeat", null, Headers.empty(), seed);
      // and a Java agent publishing with the primary codec
      bus.endpoint("java-agent-001").broadcast(MessageType.HEARTBEAT, Map.of("status", "alive"));

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
      injector.getInstance(Transport.class).publish("orchestrator.broadcast.status_update", null,
          Headers.of(Headers.CONTENT_TYPE, ProtobufCodec.CONTENT_TYPE),
          ProtobufCodec.create().encode(sent));

      AgentMessage received = got.poll(10, TimeUnit.SECONDS);
      assertThat(received).isEqualTo(sent);
    } finally {
      bus.close();
    }
  }

  @Test
  void aBusThatCannotBeBuiltClosesTheTransportItWasGiven() {
    // a queue's stream (work-queue retention) named like the broadcasts' history (limits)
    Transport transport = InMemoryTransport.create();
    Injector injector = Guice.createInjector(Modules.override(new AgentBusModule(config(Map.of(
        "agentbus.history.broadcasts.max-age", "1h",
        "agentbus.history.broadcasts.stream-name", "shared",
        "agentbus.queue.q.durable", "true",
        "agentbus.queue.q.stream-name", "shared"))))
        .with(binder -> binder.bind(Transport.class).toInstance(transport)));

    assertThatThrownBy(() -> injector.getInstance(MessageBus.class))
        .hasMessageContaining("Stream 'shared' exists");
    assertThatThrownBy(() -> transport.publish("a.b", null, Headers.empty(), new byte[0]))
        .hasMessageContaining("is closed");
  }
}
