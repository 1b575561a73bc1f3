package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.time.Scheduler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The collaborators of one {@link MessageBus}, wired as its constructor wires them (declaring the
 * kept streams and the durable queues configured by name), on a {@link RecordingTransport}, in
 * namespace {@code ns}: what the collaborator tests exercise directly.
 */
final class BusParts {
  final RecordingTransport transport;
  final Subjects subjects = Subjects.of("ns");
  final BusMetrics metrics = new BusMetrics();
  final AtomicBoolean closed = new AtomicBoolean();
  final CodecSelector codecs;
  final PublishPath publisher;
  final RequestReply requests;
  final BusStreams history;
  final DeadLetters deadLetters;
  final DeliveryPipeline pipeline;
  final WorkQueues queues;

  private BusParts(Builder b) {
    this.transport = b.transport;
    this.codecs = new CodecSelector(b.codec, b.additionalCodecs);
    boolean anyDurable = WorkQueues.anyDurable(b.queueOptions, QueueOptions.atMostOnce());
    this.publisher = new PublishPath(transport, codecs, b.interceptors, metrics,
        Scheduler.system(), closed);
    this.requests = new RequestReply(transport, publisher, codecs);
    this.history = new BusStreams(transport.durableStreams().orElse(null), subjects,
        b.keepBroadcasts, b.keepDeadLetters,
        anyDurable ? WorkQueues.maxReplicas(b.queueOptions, QueueOptions.atMostOnce()) : 0);
    this.deadLetters = new DeadLetters(subjects, publisher, history, metrics,
        transport.maxPayload());
    this.pipeline = new DeliveryPipeline(codecs, b.interceptors, publisher, deadLetters, metrics);
    this.queues = new WorkQueues(transport, subjects, b.queueOptions, QueueOptions.atMostOnce(),
        transport.durableStreams().orElse(null), publisher, pipeline, deadLetters, metrics);
    history.declare();
    queues.declareConfigured();
  }

  static Builder on(RecordingTransport transport) {
    return new Builder(transport);
  }

  /** Everything but the transport is optional: the codec defaults to {@link FakeCodec#json()}. */
  static final class Builder {
    private final RecordingTransport transport;
    private Codec codec = FakeCodec.json();
    private final List<Codec> additionalCodecs = new ArrayList<>();
    private final List<MessageInterceptor> interceptors = new ArrayList<>();
    private final Map<String, QueueOptions> queueOptions = new LinkedHashMap<>();
    private @Nullable HistoryOptions keepBroadcasts;
    private @Nullable HistoryOptions keepDeadLetters;

    private Builder(RecordingTransport transport) {
      this.transport = transport;
    }

    Builder codec(Codec primary, Codec... additional) {
      this.codec = primary;
      additionalCodecs.addAll(List.of(additional));
      return this;
    }

    Builder interceptor(MessageInterceptor i) {
      interceptors.add(i);
      return this;
    }

    Builder queue(String name, QueueOptions options) {
      queueOptions.put(name, options);
      return this;
    }

    Builder keepBroadcasts(HistoryOptions o) {
      keepBroadcasts = o;
      return this;
    }

    Builder keepDeadLetters(HistoryOptions o) {
      keepDeadLetters = o;
      return this;
    }

    BusParts build() {
      return new BusParts(this);
    }
  }
}
