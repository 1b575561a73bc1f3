package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoredMessageHandler;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replays of {@link JetStreamStreams}: each through a short-lived ephemeral consumer (as many
 * replicas as its stream, in memory, deleted when the replay ends and expiring by itself after
 * {@link #REPLAY_INACTIVE} if that fails), read on a thread of its own until the consumer has
 * nothing pending. Thread-safe.
 */
final class JetStreamReplay {
  // the streams' logger: one category for JetStream, whichever part of it logs
  private static final Logger log = LoggerFactory.getLogger(JetStreamStreams.class);
  private static final Duration REPLAY_INACTIVE = Duration.ofMinutes(1);

  private final JetStreamContext context;
  private final Set<Thread> replays = ConcurrentHashMap.newKeySet();

  JetStreamReplay(JetStreamContext context) {
    this.context = context;
  }

  /** See {@link io.agentbus.spi.DurableStreams#replay}. */
  CompletableFuture<Long> replay(ReplaySpec spec, StoredMessageHandler handler) {
    ConsumerConfiguration.Builder b = ConsumerConfiguration.builder()
        .filterSubject(spec.subjectFilter())
        .ackPolicy(AckPolicy.None)
        .inactiveThreshold(REPLAY_INACTIVE)
        .memStorage(true);
    Instant since = spec.since();
    if (since != null) {
      b.deliverPolicy(DeliverPolicy.ByStartTime).startTime(since.atZone(ZoneOffset.UTC));
    } else if (spec.fromSequence() > 1) {
      b.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(spec.fromSequence());
    } else {
      b.deliverPolicy(DeliverPolicy.All);
    }
    ConsumerInfo ci = null;
    for (int attempt = 1; ci == null; attempt++) {
      try {
        // as many replicas as the stream: an R1 consumer may be placed on a server that is down
        int replicas = context.management().getStreamInfo(spec.stream()).getConfiguration()
            .getReplicas();
        ci = context.management().addOrUpdateConsumer(spec.stream(),
            b.numReplicas(replicas).build());
      } catch (JetStreamApiException e) {
        RuntimeException r = context.apiFailure("replay '" + spec.subjectFilter()
            + "' from stream '" + spec.stream() + "'", e);
        if (attempt == 3 || !(r instanceof TransportException)) {
          throw r;
        }
      } catch (IOException e) {
        if (attempt == 3) {
          throw context.unavailable("replay from stream '" + spec.stream() + "'", e);
        }
      } catch (IllegalStateException e) {
        throw JetStreamContext.closed(e);
      }
    }
    CompletableFuture<Long> done = new CompletableFuture<>();
    String consumer = ci.getName();
    long expected = ci.getNumPending();
    if (expected == 0) {
      deleteQuietly(spec.stream(), consumer);
      done.complete(0L);
      return done;
    }
    Thread t = new Thread(() -> runReplay(spec, consumer, handler, done),
        "agentbus-js-replay-" + spec.stream() + "-" + context.name);
    t.setDaemon(true);
    replays.add(t);
    done.whenComplete((n, e) -> {
      if (e instanceof CancellationException) {
        t.interrupt();
      }
    });
    t.start();
    return done;
  }

  private void runReplay(ReplaySpec spec, String consumer, StoredMessageHandler handler,
      CompletableFuture<Long> done) {
    long n = 0;
    JetStreamSubscription sub = null;
    try {
      try {
        sub = context.jetStream().subscribe(spec.subjectFilter(),
            PullSubscribeOptions.fastBind(spec.stream(), consumer));
      } catch (IOException | JetStreamApiException e) {
        throw new TransportException("Could not read stream '" + spec.stream() + "': "
            + e.getMessage() + context.outage(), e, true);
      }
      long quietSince = System.nanoTime();
      while (!done.isDone() && !Thread.currentThread().isInterrupted()) {
        List<Message> batch = sub.fetch(256, JetStreamWorker.FETCH_WAIT);
        if (batch.isEmpty()) {
          if (System.nanoTime() - quietSince > context.apiTimeout.toNanos()) {
            throw new TransportException("The replay of '" + spec.subjectFilter() + "' from '"
                + spec.stream() + "' stalled after " + n + " messages" + context.outage(), null,
                true);
          }
          continue;
        }
        quietSince = System.nanoTime();
        for (Message m : batch) {
          JetStreamStoredMessage s = new JetStreamStoredMessage(context, m);
          n++;
          try {
            handler.onMessage(s);
          } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError) {
              throw (Error) e;
            }
            log.warn("Replay handler failed on message {} of '{}'", s.sequence(), spec.stream(),
                e);
          }
          if (m.metaData().pendingCount() == 0) {
            done.complete(n);
            return;
          }
        }
      }
      done.completeExceptionally(new CancellationException("replay stopped"));
    } catch (RuntimeException e) {
      done.completeExceptionally(e instanceof TransportException ? e
          : new TransportException("The replay of '" + spec.subjectFilter() + "' from '"
              + spec.stream() + "' failed after " + n + " messages: " + e.getMessage(), e, true));
    } finally {
      replays.remove(Thread.currentThread());
      if (sub != null) {
        try {
          sub.unsubscribe();
        } catch (RuntimeException ignored) {
          // the connection is going away; the consumer expires by itself
        }
      }
      deleteQuietly(spec.stream(), consumer);
    }
  }

  private void deleteQuietly(String stream, String consumer) {
    try {
      context.management().deleteConsumer(stream, consumer);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      log.debug("Could not delete replay consumer '{}' of '{}'; it expires after {}", consumer,
          stream, REPLAY_INACTIVE, e);
    }
  }

  /** Stops every replay at once (the connection is closing). */
  void stopAll() {
    replays.forEach(Thread::interrupt);
  }
}
