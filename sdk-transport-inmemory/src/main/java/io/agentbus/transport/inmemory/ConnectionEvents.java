package io.agentbus.transport.inmemory;

import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.ConnectionListener;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ConnectionListener}s of one {@link InMemoryTransport} and the events sent to them:
 * listeners run one event at a time, in order, on a thread of the transport's executor; once that
 * executor is shut down, events are dropped. Thread-safe.
 */
final class ConnectionEvents {
  // the transport's logger: one category per transport, whichever part of it logs
  private static final Logger log = LoggerFactory.getLogger(InMemoryTransport.class);

  private final String name;
  private final Executor executor;
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<ConnectionEvent> events = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean();

  ConnectionEvents(String name, Executor executor) {
    this.name = name;
    this.executor = executor;
  }

  void add(ConnectionListener listener) {
    listeners.add(listener);
  }

  void remove(ConnectionListener listener) {
    listeners.remove(listener);
  }

  /** Queues {@code event} for the listeners; nothing when there are none. */
  void fire(ConnectionEvent event) {
    if (listeners.isEmpty()) {
      return;
    }
    events.add(event);
    if (running.compareAndSet(false, true)) {
      try {
        executor.execute(this::deliver);
      } catch (RejectedExecutionException e) {
        running.set(false);
        log.debug("{} is closed; event {} not delivered", name, event);
      }
    }
  }

  private void deliver() {
    do {
      ConnectionEvent e;
      while ((e = events.poll()) != null) {
        for (ConnectionListener l : listeners) {
          try {
            l.onEvent(e);
          } catch (RuntimeException ex) {
            log.warn("Connection listener {} threw on {}; ignored", l, e, ex);
          }
        }
      }
      running.set(false);
    } while (!events.isEmpty() && running.compareAndSet(false, true));
  }
}
