package io.agentbus;

import io.agentbus.spi.ReceivedMessage;
import io.agentbus.spi.ReplyFilter;
import io.agentbus.spi.TransportMessage;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Whether a message on a request's reply subject is the answer to that request. A reply subject
 * is seen by every subscriber of the request's subject, so anyone could answer first; this check
 * holds even with signing off:
 *
 * <ul>
 *   <li>a reply is an {@link AgentMessage} from the agent the request was addressed to (its
 *       {@code to_agent}, when it has one), with the request's {@code correlation_id};
 *   <li>an error reply (empty payload, {@link Headers#ERROR}) carries the request's correlation id
 *       in {@link Headers#CORRELATION_ID};
 *   <li>a reply then passes the interceptors' {@code aroundDelivery}, as every delivery does (a
 *       signature check refuses it there by not proceeding, or by throwing).
 * </ul>
 *
 * <p>A reply that fails is counted in {@link BusStats#repliesRefused()}, logged (rate-limited)
 * and discarded; the transport keeps the request waiting for the real one. One instance per
 * request; it keeps the accepted reply decoded, so it is decoded once.
 */
final class ReplyCheck implements ReplyFilter {
  private final String subject;
  private final AgentMessage request;
  private final ReceivedMessage.SentRequest sent;
  private final DeliveryPipeline pipeline;
  /** The first reply accepted; set once, so that it is the one the request completes with. */
  private final AtomicReference<CodecSelector.@Nullable Decoded> accepted =
      new AtomicReference<>();
  private volatile boolean answered;
  /** What {@link #check} says of a reply that came after the answer: dropped, not refused. */
  private static final String LATE = "late";

  ReplyCheck(String subject, AgentMessage request, Headers headers, DeliveryPipeline pipeline) {
    this.subject = subject;
    this.request = request;
    this.sent = new ReceivedMessage.SentRequest(subject, headers, request);
    this.pipeline = pipeline;
  }

  @Override
  public boolean accept(TransportMessage reply) {
    if (answered) {
      // a later reply to a request already answered (its transport may see it before it has
      // forgotten the request): never the answer, and not a forgery either
      return false;
    }
    String problem;
    try {
      problem = check(reply);
    } catch (Exception e) {
      problem = "an interceptor threw " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    if (problem == null) {
      return true;
    }
    if (problem == LATE) {
      return false;
    }
    pipeline.refuseReply(subject, problem);
    return false;
  }

  /** The first reply that was accepted, decoded; null for an error reply. */
  CodecSelector.@Nullable Decoded accepted() {
    return accepted.get();
  }

  private @Nullable String check(TransportMessage reply) throws Exception {
    String cid = request.correlationId();
    if (isErrorReply(reply)) {
      String got = reply.headers().first(Headers.CORRELATION_ID);
      if (cid != null && !cid.equals(got)) {
        return "an error reply " + (got == null ? "without the request's correlation id"
            : "with correlation id '" + got + "', not the request's '" + cid + "'");
      }
      String refusal = pipeline.interceptorRefusal(reply, sent, "reply");
      if (refusal != null) {
        return "an error reply refused: " + refusal;
      }
      answered = true;
      return null;
    }
    String refusal = pipeline.interceptorRefusal(reply, sent, "reply");
    if (refusal != null) {
      return "a reply refused: " + refusal;
    }
    CodecSelector.Decoded decoded;
    try {
      decoded = pipeline.decodeChecked(reply);
    } catch (CodecException e) {
      return "a reply that could not be decoded (" + reply.payload().length + " bytes, "
          + CodecSelector.describeContentType(reply.headers()) + "): " + e.getMessage();
    }
    AgentMessage m = decoded.message;
    String responder = request.toAgent();
    if (responder != null && !responder.equals(m.fromAgent())) {
      return "a reply from '" + m.fromAgent() + "', not from the addressee '" + responder + "'";
    }
    if (cid != null && !cid.equals(m.correlationId())) {
      return "a reply with correlation id '" + m.correlationId() + "', not the request's '" + cid
          + "'";
    }
    if (!pipeline.admitReply(reply, decoded)) {
      return "an interceptor refused the reply from '" + m.fromAgent() + "'";
    }
    if (!accepted.compareAndSet(null, decoded)) {
      return LATE; // another reply, checked at the same moment, was accepted first
    }
    answered = true;
    return null;
  }

  static boolean isErrorReply(TransportMessage reply) {
    return reply.payload().length == 0 && reply.headers().first(Headers.ERROR) != null;
  }
}
