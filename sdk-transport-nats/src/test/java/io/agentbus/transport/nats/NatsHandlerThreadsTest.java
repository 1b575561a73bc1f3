package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.Headers;
import io.agentbus.test.nats.NatsServerExtension;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The handler threads of one NATS transport: a message to each of 1,000 subscriptions is handled
 * by the pool's few threads, not a thread per subscription; handlers that block get threads of
 * their own (the contract suite checks that they hold back no one else).
 */
class NatsHandlerThreadsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private NatsTransport connect(String name) {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName(name).build());
  }

  @Test
  void aBroadcastToAThousandSubscriptionsUsesAFewThreads() throws Exception {
    try (NatsTransport t = connect("fanout"); NatsTransport pub = connect("fanout-pub")) {
      int subs = 1_000;
      Set<String> threads = ConcurrentHashMap.newKeySet();
      CountDownLatch all = new CountDownLatch(subs * 5);
      for (int i = 0; i < subs; i++) {
        t.subscribe("fan.out", null, m -> {
          threads.add(Thread.currentThread().getName());
          all.countDown();
        });
      }
      t.flush(WAIT);
      for (int m = 0; m < 5; m++) {
        pub.publish("fan.out", null, Headers.empty(), new byte[] {(byte) m});
      }
      assertThat(all.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(threads).allMatch(n -> n.startsWith("agentbus-nats-handler-fanout-"))
          // the base threads, and a few steps of growth if this machine stalled them
          .hasSizeLessThanOrEqualTo(HandlerPool.BASE + 3 * HandlerPool.BASE);
    }
  }

  @Test
  void blockedHandlersGetThreadsOfTheirOwnBeyondTheBase() throws Exception {
    try (NatsTransport t = connect("blocking"); NatsTransport pub = connect("blocking-pub")) {
      int blocked = HandlerPool.BASE * 3;
      CountDownLatch entered = new CountDownLatch(blocked);
      CountDownLatch release = new CountDownLatch(1);
      for (int i = 0; i < blocked; i++) {
        t.subscribe("block." + i, null, m -> {
          entered.countDown();
          release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        });
      }
      t.flush(WAIT);
      for (int i = 0; i < blocked; i++) {
        pub.publish("block." + i, null, Headers.empty(), new byte[0]);
      }
      try {
        assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
            .as("every blocking handler runs at once").isTrue();
      } finally {
        release.countDown();
      }
    }
  }
}
