package io.agentbus.agent.discovery;

import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions to {@code $SRV.PING}, {@code $SRV.INFO} and {@code $SRV.STATS} (the verbs
 * without a name, which every agent answers) shared by all the {@link AgentService}s on one
 * transport: three subscriptions per process, not three per agent, each request answered by every
 * service joined. The first service to join subscribes (and fails to start if the server refuses);
 * the last to leave unsubscribes. A service that joins later finds the subscriptions already live
 * on the server. Thread-safe.
 */
final class SharedDiscovery {
  private static final Logger log = LoggerFactory.getLogger(SharedDiscovery.class);
  /** One per transport with services; guarded by itself. */
  private static final Map<Transport, SharedDiscovery> BY_TRANSPORT = new WeakHashMap<>();

  private final Set<AgentService> services = ConcurrentHashMap.newKeySet();
  private final List<TransportSubscription> subscriptions = new ArrayList<>();

  private SharedDiscovery() {}

  /**
   * Adds {@code service} to those answering the verbs without a name on {@code transport},
   * subscribing first if it is the first.
   *
   * @throws io.agentbus.TransportException if subscribing fails (nothing stays subscribed)
   */
  static void join(Transport transport, AgentService service) {
    synchronized (BY_TRANSPORT) {
      SharedDiscovery shared = BY_TRANSPORT.get(transport);
      if (shared == null) {
        shared = new SharedDiscovery();
        shared.subscribe(transport);
        BY_TRANSPORT.put(transport, shared);
      }
      shared.services.add(service);
    }
  }

  /** Removes {@code service}; the last to leave unsubscribes. Idempotent. */
  static void leave(Transport transport, AgentService service) {
    synchronized (BY_TRANSPORT) {
      SharedDiscovery shared = BY_TRANSPORT.get(transport);
      if (shared == null || !shared.services.remove(service) || !shared.services.isEmpty()) {
        return;
      }
      BY_TRANSPORT.remove(transport);
      shared.unsubscribe(service.name());
    }
  }

  private void subscribe(Transport transport) {
    try {
      for (String verb : AgentService.VERBS) {
        subscriptions.add(transport.subscribe("$SRV." + verb, null, m -> answerAll(verb, m)));
      }
    } catch (RuntimeException e) {
      unsubscribe("(starting)");
      throw e;
    }
  }

  private void answerAll(String verb, TransportMessage m) {
    for (AgentService s : services) {
      s.answer(verb, m);
    }
  }

  private void unsubscribe(String lastAgent) {
    for (TransportSubscription s : subscriptions) {
      try {
        s.unsubscribe();
      } catch (RuntimeException e) {
        log.debug("Agent '{}': unsubscribing the shared discovery subjects failed: {}", lastAgent,
            e.toString());
      }
    }
    subscriptions.clear();
  }
}
