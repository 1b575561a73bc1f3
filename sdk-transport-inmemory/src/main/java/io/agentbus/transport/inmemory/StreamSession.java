package io.agentbus.transport.inmemory;

import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.QueueState;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DurableStreams} for one transport, over the server's shared {@link InMemoryStreams}: it
 * publishes through its transport, and owns the workers and replays it started, which stop when
 * {@link #close} is called. Thread-safe.
 */
final class StreamSession implements DurableStreams {
  // the store's logger: everything the streams log shares one category
  private static final Logger log = LoggerFactory.getLogger(InMemoryStreams.class);

  private final InMemoryStreams store;
  private final InMemoryStreams.Publisher publisher;
  private final Set<StreamWorker> workers = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<Long>> replays = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  StreamSession(InMemoryStreams store, InMemoryStreams.Publisher publisher) {
    this.store = store;
    this.publisher = publisher;
  }

  @Override
  public void declare(StreamSpec spec) {
    checkOpen();
    store.declare(spec);
  }

  @Override
  public CompletableFuture<StoreAck> publish(String subject, Headers headers, byte[] payload,
      String messageId, Duration timeout) {
    try {
      checkOpen();
      Headers withId = headers.with(Headers.MESSAGE_ID, messageId);
      // a plain publish that the server captures, as a JetStream publish is on NATS
      StoreAck ack = store.publishCaptured(publisher, subject, withId, payload);
      if (ack == null) {
        throw new TransportException("No stream captures subject '" + subject
            + "'; declare one first (the store has " + store.streamNames() + ")");
      }
      return CompletableFuture.completedFuture(ack);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public TransportSubscription consume(ConsumerSpec spec, StoredMessageHandler handler) {
    checkOpen();
    DurableConsumer consumer = store.consumer(spec);
    StreamWorker w = new StreamWorker(store.lock(), consumer, handler, this);
    workers.add(w);
    w.start();
    return w;
  }

  @Override
  public Optional<QueueState> queueState(String stream, String consumer) {
    checkOpen();
    return store.queueState(stream, consumer);
  }

  @Override
  public CompletableFuture<Long> replay(ReplaySpec spec, StoredMessageHandler handler) {
    checkOpen();
    List<StoredStream.Entry> snapshot = store.snapshot(spec);
    CompletableFuture<Long> done = new CompletableFuture<>();
    replays.add(done);
    done.whenComplete((n, t) -> replays.remove(done));
    Thread t = new Thread(() -> {
      long n = 0;
      for (StoredStream.Entry e : snapshot) {
        if (done.isDone()) {
          return;
        }
        try {
          handler.onMessage(new ReplayedMessage(e, spec.stream()));
        } catch (Exception | Error ex) {
          if (ex instanceof VirtualMachineError) {
            done.completeExceptionally(ex);
            throw (Error) ex;
          }
          log.warn("Replay handler failed on message {} of stream '{}'", e.seq, spec.stream(),
              ex);
        }
        n++;
      }
      done.complete(n);
    }, "agentbus-inmemory-replay-" + spec.stream());
    t.setDaemon(true);
    t.start();
    return done;
  }

  /** Lets this transport's workers finish the item they hold, then stops them. */
  CompletableFuture<Void> drainWorkers() {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (StreamWorker w : workers) {
      w.unsubscribe();
      done.add(w.stopped());
    }
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
  }

  /** Stops this transport's workers and replays; their unsettled messages wait for ack wait. */
  void close() {
    closed = true;
    workers.forEach(StreamWorker::unsubscribe);
    replays.forEach(f -> f.completeExceptionally(
        new TransportException("The transport was closed during the replay")));
  }

  /** Forgets a worker whose thread has ended. */
  void workerStopped(StreamWorker w) {
    workers.remove(w);
  }

  /** @throws TransportException if the transport is closed */
  void checkOpen() {
    if (closed) {
      throw new TransportException("This transport is closed");
    }
  }

  @Override
  public String toString() {
    return "InMemoryStreams" + store.streamNames();
  }
}
