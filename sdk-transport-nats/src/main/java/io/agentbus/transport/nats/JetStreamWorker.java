package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.TransportSubscription;
import io.nats.client.Connection;
import io.nats.client.JetStreamStatusException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of a durable consumer of {@link JetStreamStreams}: a thread that fetches small
 * batches from the pull subscription and hands each item to the handler, until it is
 * unsubscribed (items taken and not yet handled are released at once) or drained (they are
 * handled first). It leaves {@code workers}, the streams' register of running workers, when its
 * thread ends.
 */
final class JetStreamWorker implements TransportSubscription {
  // the streams' logger: one category for JetStream, whichever part of it logs
  private static final Logger log = LoggerFactory.getLogger(JetStreamStreams.class);
  /**
   * Most items fetched per pull request. A worker fetches one item at a time until its handler
   * proves fast ({@link #FAST}), then doubles its batch up to this: fast items go without a
   * round trip each, and a slow item (a language model call) never holds others unseen behind it
   * while another worker is idle, except those of the one batch in which a fast handler turned
   * slow, whose ack wait is renewed while they wait.
   */
  static final int MAX_BATCH = 8;
  /** A handler this quick on every item of a batch lets the worker fetch a larger batch. */
  static final Duration FAST = Duration.ofMillis(10);
  static final Duration FETCH_WAIT = Duration.ofMillis(500);
  private static final Duration PAUSE_AFTER_ERROR = Duration.ofMillis(100);

  private final JetStreamContext context;
  private final Set<JetStreamWorker> workers;
  private final ConsumerSpec spec;
  private final JetStreamSubscription sub;
  private final StoredMessageHandler handler;
  private final Thread thread;
  /** False once unsubscribed or draining: fetch no more. */
  private final AtomicBoolean fetching = new AtomicBoolean(true);
  /** False once unsubscribed: items taken and not yet handled are released. */
  private volatile boolean handling = true;
  private final AtomicLong delivered = new AtomicLong();
  private volatile int pending;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  JetStreamWorker(JetStreamContext context, Set<JetStreamWorker> workers, ConsumerSpec spec,
      JetStreamSubscription sub, StoredMessageHandler handler) {
    this.context = context;
    this.workers = workers;
    this.spec = spec;
    this.sub = sub;
    this.handler = handler;
    this.thread = new Thread(this::run,
        "agentbus-js-worker-" + spec.stream() + "-" + context.name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    int size = 1;
    try {
      while (fetching.get()) {
        List<Message> batch;
        try {
          batch = sub.fetch(size, FETCH_WAIT);
        } catch (JetStreamStatusException e) {
          // e.g. the consumer moved to a new leader or was deleted; try again shortly
          log.debug("Pull from consumer '{}' of '{}' failed: {}", spec.name(), spec.stream(),
              e.getMessage());
          pause();
          continue;
        } catch (IllegalStateException e) {
          if (context.connection.getStatus() == Connection.Status.CLOSED || !sub.isActive()) {
            return;
          }
          pause();
          continue;
        } catch (RuntimeException e) {
          log.warn("Pull from consumer '{}' of '{}' failed; trying again", spec.name(),
              spec.stream(), e);
          pause();
          continue;
        }
        pending = batch.size();
        boolean allFast = true;
        for (int i = 0; i < batch.size(); i++) {
          Message m = batch.get(i);
          pending--;
          if (!handling) {
            nakQuietly(m);
            continue;
          }
          delivered.incrementAndGet();
          long began = System.nanoTime();
          try {
            handler.onMessage(new JetStreamStoredMessage(context, m));
          } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError) {
              throw (Error) e;
            }
            log.warn("Worker of consumer '{}' failed on an item of '{}'; it comes back after "
                + "the ack wait", spec.name(), spec.stream(), e);
          }
          if (System.nanoTime() - began >= FAST.toNanos()) {
            allFast = false;
            // the items still waiting in this batch must not be handed to another worker as if
            // this one had died: renew their ack wait
            for (int j = i + 1; j < batch.size(); j++) {
              inProgressQuietly(batch.get(j));
            }
          }
        }
        size = nextBatchSize(size, batch.size(), allFast);
      }
    } finally {
      workers.remove(this);
      try {
        if (sub.isActive()) {
          sub.unsubscribe();
        }
      } catch (RuntimeException e) {
        log.debug("Unsubscribing the pull subscription of '{}' failed", spec.name(), e);
      }
      stopped.complete(null);
    }
  }

  /** The next pull's size: doubled after a full batch of fast items, one after a slow item. */
  static int nextBatchSize(int size, int fetched, boolean allFast) {
    if (!allFast) {
      return 1;
    }
    return fetched >= size ? Math.min(MAX_BATCH, size * 2) : size;
  }

  private void inProgressQuietly(Message m) {
    try {
      m.inProgress();
    } catch (RuntimeException e) {
      log.debug("Could not renew the ack wait of an item of '{}'", spec.stream(), e);
    }
  }

  private void nakQuietly(Message m) {
    try {
      m.nak();
    } catch (RuntimeException e) {
      log.debug("Could not release an item of '{}'; it comes back after the ack wait",
          spec.stream(), e);
    }
  }

  private void pause() {
    try {
      Thread.sleep(PAUSE_AFTER_ERROR.toMillis()); // no busy loop while the server is away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fetching.set(false);
    }
  }

  @Override
  public String subject() {
    return spec.filterSubject();
  }

  @Override
  public @Nullable String queueGroup() {
    return spec.name();
  }

  @Override
  public void unsubscribe() {
    handling = false;
    fetching.set(false);
  }

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    fetching.set(false);
    return stopped.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .exceptionallyCompose(t -> CompletableFuture.failedFuture(new TransportException(
            "The worker of consumer '" + spec.name() + "' did not finish within "
                + timeout.toMillis() + " ms", t, true)));
  }

  @Override
  public boolean isActive() {
    return fetching.get() && !stopped.isDone();
  }

  @Override
  public long pendingMessages() {
    return pending;
  }

  @Override
  public long deliveredMessages() {
    return delivered.get();
  }

  @Override
  public long droppedMessages() {
    return 0; // never dropped: an unsettled item is redelivered
  }

  @Override
  public String toString() {
    return "JetStreamWorker{" + spec.stream() + "/" + spec.name() + "}";
  }
}
