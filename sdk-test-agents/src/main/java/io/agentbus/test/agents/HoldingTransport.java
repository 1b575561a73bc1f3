package io.agentbus.test.agents;

import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.test.ForwardingTransport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * Delivers messages as its delegate does, except that a message to a held subject prefix waits,
 * on the subscription's own thread, until the prefix is released: an agent that is slow to answer,
 * seen from the outside. Held messages are neither lost nor reordered.
 */
final class HoldingTransport extends ForwardingTransport {
  private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();

  HoldingTransport(Transport delegate) {
    super(delegate);
  }

  void hold(String subjectPrefix) {
    held.putIfAbsent(subjectPrefix, new CountDownLatch(1));
  }

  void release(String subjectPrefix) {
    CountDownLatch gate = held.remove(subjectPrefix);
    if (gate != null) {
      gate.countDown();
    }
  }

  void releaseAll() {
    held.keySet().forEach(this::release);
  }

  @Override
  public TransportSubscription subscribe(String subjectPattern, @Nullable String queueGroup,
      TransportHandler handler) {
    return super.subscribe(subjectPattern, queueGroup, message -> {
      for (Map.Entry<String, CountDownLatch> e : held.entrySet()) {
        if (message.subject().startsWith(e.getKey())) {
          e.getValue().await();
        }
      }
      handler.onMessage(message);
    });
  }
}
