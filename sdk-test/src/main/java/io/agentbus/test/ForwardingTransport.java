package io.agentbus.test;

import io.agentbus.Headers;
import io.agentbus.spi.ConnectionListener;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.QueueState;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.ReplyFilter;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportStats;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A transport that passes every call to another one: the base of fault-injecting test
 * transports. Override a method to change one call, or {@link #streams(DurableStreams)} to wrap
 * the durable streams (with a {@link ForwardingDurableStreams}, say). Thread-safe if the delegate
 * is.
 */
public class ForwardingTransport implements Transport {
  private final Transport delegate;

  public ForwardingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  /** The durable streams this transport offers, given the delegate's; unchanged by default. */
  protected DurableStreams streams(DurableStreams real) {
    return real;
  }

  @Override
  public Optional<DurableStreams> durableStreams() {
    return delegate.durableStreams().map(this::streams);
  }

  @Override
  public void publish(String subject, @Nullable String replyTo, Headers headers,
      byte[] payload) {
    delegate.publish(subject, replyTo, headers, payload);
  }

  @Override
  public TransportSubscription subscribe(String subjectPattern, @Nullable String queueGroup,
      TransportHandler handler) {
    return delegate.subscribe(subjectPattern, queueGroup, handler);
  }

  @Override
  public CompletableFuture<TransportMessage> request(String subject, Headers headers,
      byte[] payload, Duration timeout) {
    return delegate.request(subject, headers, payload, timeout);
  }

  @Override
  public CompletableFuture<TransportMessage> request(String subject, Headers headers,
      byte[] payload, Duration timeout, ReplyFilter filter) {
    return delegate.request(subject, headers, payload, timeout, filter);
  }

  @Override
  public TransportMessage requestAndWait(String subject, Headers headers, byte[] payload,
      Duration timeout, ReplyFilter filter) throws InterruptedException {
    return delegate.requestAndWait(subject, headers, payload, timeout, filter);
  }

  @Override
  public void flush(Duration timeout) {
    delegate.flush(timeout);
  }

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    return delegate.drain(timeout);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public long maxPayload() {
    return delegate.maxPayload();
  }

  @Override
  public void addConnectionListener(ConnectionListener listener) {
    delegate.addConnectionListener(listener);
  }

  @Override
  public void removeConnectionListener(ConnectionListener listener) {
    delegate.removeConnectionListener(listener);
  }

  @Override
  public TransportStats stats() {
    return delegate.stats();
  }

  /** Durable streams that pass every call to others; override a method to change one call. */
  public static class ForwardingDurableStreams implements DurableStreams {
    private final DurableStreams delegate;

    public ForwardingDurableStreams(DurableStreams delegate) {
      this.delegate = delegate;
    }

    @Override
    public void declare(StreamSpec spec) {
      delegate.declare(spec);
    }

    @Override
    public CompletableFuture<StoreAck> publish(String subject, Headers headers, byte[] payload,
        String messageId, Duration timeout) {
      return delegate.publish(subject, headers, payload, messageId, timeout);
    }

    @Override
    public TransportSubscription consume(ConsumerSpec spec, StoredMessageHandler handler) {
      return delegate.consume(spec, handler);
    }

    @Override
    public CompletableFuture<Long> replay(ReplaySpec spec, StoredMessageHandler handler) {
      return delegate.replay(spec, handler);
    }

    @Override
    public Optional<QueueState> queueState(String stream, String consumer) {
      return delegate.queueState(stream, consumer);
    }
  }
}
