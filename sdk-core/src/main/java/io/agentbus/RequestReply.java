package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Requests of one {@link MessageBus}: encode and send on a fresh inbox, wait (on the caller's
 * thread, or as a future), and turn the reply into an {@link AgentMessage} or the error the
 * responder sent. Thread-safe.
 */
final class RequestReply {
  private final Transport transport;
  private final PublishPath publisher;
  private final CodecSelector codecs;

  RequestReply(Transport transport, PublishPath publisher, CodecSelector codecs) {
    this.transport = transport;
    this.publisher = publisher;
    this.codecs = codecs;
  }

  /** Sends {@code message} to {@code subject} and waits on this thread for the reply. */
  AgentMessage request(String subject, AgentMessage message, Duration timeout) {
    List<MessageInterceptor> interceptors = publisher.interceptors();
    if (interceptors.isEmpty()) {
      return send(subject, message, timeout);
    }
    CompletableFuture<AgentMessage> reply = around(interceptors, 0, subject, message, () -> {
      try {
        return CompletableFuture.completedFuture(send(subject, message, timeout));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    });
    try {
      return reply.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Calls the interceptors' {@code aroundRequest} from {@code index} on, then {@code last}. */
  private static CompletableFuture<AgentMessage> around(List<MessageInterceptor> interceptors,
      int index, String subject, AgentMessage message, MessageInterceptor.RequestChain last) {
    if (index == interceptors.size()) {
      return last.proceed();
    }
    return interceptors.get(index).aroundRequest(subject, message,
        () -> around(interceptors, index + 1, subject, message, last));
  }

  private AgentMessage send(String subject, AgentMessage message, Duration timeout) {
    publisher.checkOpen();
    Codec codec = publisher.primaryCodec();
    byte[] payload = codec.encode(message);
    Headers headers = publisher.headersFor(subject, message, codec, payload);
    TransportMessage reply;
    try {
      // waits on this thread: no timer and no completing thread between the reply and the caller
      reply = transport.requestAndWait(subject, headers, payload, timeout);
    } catch (NoRespondersException | RequestTimeoutException e) {
      publisher.countPublished(); // it went out; nobody answered
      throw e;
    } catch (InterruptedException e) {
      publisher.countPublished();
      Thread.currentThread().interrupt();
      throw new AgentBusException("Interrupted while waiting for a reply on '" + subject + "'",
          e);
    }
    publisher.countPublished();
    return decodeReply(subject, reply);
  }

  /** Sends {@code message} to {@code subject}; the future completes with the reply. */
  CompletableFuture<AgentMessage> requestAsync(String subject, AgentMessage message,
      Duration timeout) {
    List<MessageInterceptor> interceptors = publisher.interceptors();
    if (interceptors.isEmpty()) {
      return sendAsync(subject, message, timeout);
    }
    return around(interceptors, 0, subject, message,
        () -> sendAsync(subject, message, timeout));
  }

  private CompletableFuture<AgentMessage> sendAsync(String subject, AgentMessage message,
      Duration timeout) {
    publisher.checkOpen();
    Codec codec = publisher.primaryCodec();
    byte[] payload = codec.encode(message);
    Headers headers = publisher.headersFor(subject, message, codec, payload);
    CompletableFuture<TransportMessage> raw = transport.request(subject, headers, payload, timeout);
    publisher.countPublished();
    CompletableFuture<AgentMessage> result = raw.thenApply(reply -> decodeReply(subject, reply));
    // cancelling the caller's future must release the transport's inbox
    result.whenComplete((r, e) -> {
      if (e instanceof CancellationException) {
        raw.cancel(false);
      }
    });
    return result;
  }

  private AgentMessage decodeReply(String subject, TransportMessage reply) {
    String error = reply.headers().first(Headers.ERROR);
    if (error != null && reply.payload().length == 0) {
      throw new RemoteHandlerException(subject, error);
    }
    try {
      return codecs.decode(reply).message;
    } catch (CodecException e) {
      throw new CodecException("The reply to the request on '" + subject
          + "' could not be decoded (" + reply.payload().length + " bytes, "
          + CodecSelector.describeContentType(reply.headers()) + "): " + e.getMessage(), e);
    }
  }
}
