package io.agentbus.transport.inmemory;

import io.agentbus.TransportException;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of a {@link DurableConsumer}: a daemon thread taking the consumer's messages one at
 * a time and handing them to its handler. Thread-safe.
 */
final class StreamWorker implements TransportSubscription {
  // the store's logger: everything the streams log shares one category
  private static final Logger log = LoggerFactory.getLogger(InMemoryStreams.class);

  private final Object lock;
  private final DurableConsumer consumer;
  private final StoredMessageHandler handler;
  private final StreamSession session;
  private final Thread thread;
  private final AtomicBoolean active = new AtomicBoolean(true);
  private final AtomicLong delivered = new AtomicLong();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean inHandler;

  StreamWorker(Object lock, DurableConsumer consumer, StoredMessageHandler handler,
      StreamSession session) {
    this.lock = lock;
    this.consumer = consumer;
    this.handler = handler;
    this.session = session;
    this.thread = new Thread(this::run, "agentbus-inmemory-worker-" + consumer.spec.name());
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Completes when the thread has ended. */
  CompletableFuture<Void> stopped() {
    return stopped;
  }

  private void run() {
    try {
      while (active.get()) {
        DeliveredMessage d;
        synchronized (lock) {
          d = consumer.next(session);
          while (d == null && active.get()) {
            lock.wait(TimeUnit.SECONDS.toMillis(1));
            d = consumer.next(session);
          }
          if (d == null) {
            return;
          }
        }
        if (!active.get()) {
          try {
            d.retryAfter(Duration.ZERO); // taken, never handled: release it at once
          } catch (TransportException closed) {
            // the transport closed: it comes back after the ack wait
          }
          return;
        }
        delivered.incrementAndGet();
        inHandler = true;
        try {
          handler.onMessage(d);
        } catch (Exception | Error e) {
          if (e instanceof VirtualMachineError) {
            throw (Error) e;
          }
          log.warn("Worker of consumer '{}' failed on {}; it is redelivered after the ack wait",
              consumer.spec.name(), d, e);
        } finally {
          inHandler = false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      session.workerStopped(this);
      stopped.complete(null);
    }
  }

  @Override
  public String subject() {
    return consumer.spec.filterSubject();
  }

  @Override
  public @Nullable String queueGroup() {
    return consumer.spec.name();
  }

  @Override
  public void unsubscribe() {
    if (active.compareAndSet(true, false)) {
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    unsubscribe();
    return stopped.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .exceptionallyCompose(t -> CompletableFuture.failedFuture(new TransportException(
            "The worker of consumer '" + consumer.spec.name() + "' did not finish within "
                + timeout.toMillis() + " ms", t, true)));
  }

  @Override
  public boolean isActive() {
    return active.get();
  }

  @Override
  public long pendingMessages() {
    return inHandler ? 1 : 0;
  }

  @Override
  public long deliveredMessages() {
    return delivered.get();
  }

  @Override
  public long droppedMessages() {
    return 0; // never dropped: an unsettled message is redelivered
  }
}
