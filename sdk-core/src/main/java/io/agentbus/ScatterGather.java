package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scatter-gather: a request published with a reply subject of its own, and every reply to it
 * gathered until {@link GatherOptions} says stop. Package-private; {@link MessageBus#gather} is
 * the way in.
 */
final class ScatterGather {
  private static final Logger log = LoggerFactory.getLogger(ScatterGather.class);

  private final Transport transport;
  private final PublishPath publisher;
  private final CodecSelector codecs;
  private final Scheduler scheduler;
  private final GatherOptions options;
  private final String subject;
  private final CompletableFuture<GatherResult> result = new CompletableFuture<>();

  private final Object lock = new Object();
  // guarded by lock
  private final List<AgentMessage> replies = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final Set<String> answered = new HashSet<>();
  private @Nullable TransportSubscription inbox;
  private Scheduler.@Nullable Cancellable deadlineTimer;
  private Scheduler.@Nullable Cancellable quietTimer;
  private long generation;
  private boolean done;
  private final Instant started;

  ScatterGather(Transport transport, PublishPath publisher, CodecSelector codecs,
      Scheduler scheduler, String subject, GatherOptions options) {
    this.transport = transport;
    this.publisher = publisher;
    this.codecs = codecs;
    this.scheduler = scheduler;
    this.subject = subject;
    this.options = options;
    this.started = scheduler.now();
  }

  CompletableFuture<GatherResult> start(AgentMessage message) {
    publisher.checkOpen();
    String replyTo = transport.newInbox(); // under a private inbox prefix where there is one
    TransportSubscription sub = transport.subscribe(replyTo, null, this::onReply);
    synchronized (lock) {
      inbox = sub;
      deadlineTimer = scheduler.schedule(options.deadline(),
          () -> finish(GatherResult.Ending.DEADLINE));
      armQuietTimer();
    }
    result.whenComplete((r, e) -> finish(GatherResult.Ending.CLOSED)); // a cancel by the caller
    try {
      Codec codec = publisher.primaryCodec();
      byte[] payload = codec.encode(message);
      transport.flush(options.deadline()); // the inbox must be live before anyone answers
      publisher.send(subject, replyTo, publisher.headersFor(subject, message, codec, payload),
          payload);
    } catch (RuntimeException e) {
      finish(GatherResult.Ending.CLOSED);
      throw e;
    }
    return result;
  }

  private void armQuietTimer() {
    Duration quiet = options.quietPeriod();
    if (quiet == null) {
      return;
    }
    if (quietTimer != null) {
      quietTimer.cancel();
    }
    long g = ++generation;
    quietTimer = scheduler.schedule(quiet, () -> {
      synchronized (lock) {
        if (g != generation) {
          return;
        }
      }
      finish(GatherResult.Ending.QUIET);
    });
  }

  private void onReply(TransportMessage raw) {
    String error = raw.headers().first(Headers.ERROR);
    AgentMessage reply = null;
    if (raw.payload().length == 0) {
      if (error == null) {
        // a NATS server's no-responders status: nobody took the request
        log.debug("Gather on '{}': the server says nobody subscribes to it", subject);
        return;
      }
    } else {
      try {
        reply = codecs.decode(raw).message;
      } catch (CodecException e) {
        error = "CodecException: a reply to the gather on '" + subject
            + "' could not be decoded: " + e.getMessage();
        log.warn("Gather on '{}': a reply could not be decoded; counted as a failure", subject,
            e);
      }
    }
    GatherResult.Ending ending = null;
    GatherResult snapshot;
    synchronized (lock) {
      if (done) {
        return;
      }
      if (reply == null) {
        failures.add(String.valueOf(error));
      } else {
        replies.add(reply);
        answered.add(reply.fromAgent());
        if (options.maxReplies() > 0 && replies.size() >= options.maxReplies()) {
          ending = GatherResult.Ending.ENOUGH_REPLIES;
        } else if (!options.expected().isEmpty()
            && answered.containsAll(options.expected())) {
          ending = GatherResult.Ending.ALL_EXPECTED;
        }
      }
      armQuietTimer();
      snapshot = snapshot();
    }
    tell(snapshot);
    if (ending != null) {
      finish(ending);
    }
  }

  private GatherResult snapshot() {
    return new GatherResult(replies, failures, options.expected(),
        GatherResult.Ending.IN_PROGRESS, Duration.between(started, scheduler.now()));
  }

  private void tell(GatherResult snapshot) {
    var listener = options.onProgress();
    if (listener != null) {
      try {
        listener.accept(snapshot);
      } catch (RuntimeException e) {
        log.warn("Gather on '{}': the progress listener threw; gathering goes on", subject, e);
      }
    }
  }

  private void finish(GatherResult.Ending ending) {
    GatherResult r;
    TransportSubscription sub;
    synchronized (lock) {
      if (done) {
        return;
      }
      done = true;
      generation++;
      if (deadlineTimer != null) {
        deadlineTimer.cancel();
      }
      if (quietTimer != null) {
        quietTimer.cancel();
      }
      sub = inbox;
      r = new GatherResult(replies, failures, options.expected(), ending,
          Duration.between(started, scheduler.now()));
    }
    if (sub != null) {
      try {
        sub.unsubscribe();
      } catch (RuntimeException e) {
        log.debug("Gather on '{}': unsubscribing its inbox failed", subject, e);
      }
    }
    log.debug("Gather on '{}' ended: {}", subject, r);
    result.complete(r);
  }
}
