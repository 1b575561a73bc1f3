package io.agentbus;

/**
 * Thrown by a {@link io.agentbus.spi.MessageInterceptor#aroundDelivery} to refuse a message rather
 * than fail its handler: the message is counted as {@linkplain BusStats#refused() refused},
 * logged (rate-limited) and dead-lettered with the message of this exception, and a request gets
 * no answer. Signing uses it for a message signed by one agent that claims to be from another.
 */
public class MessageRefusedException extends AgentBusException {
  private static final long serialVersionUID = 1L;

  /** @param reason one line saying why, for the dead letter's {@link Headers#ERROR} */
  public MessageRefusedException(String reason) {
    super(reason);
  }
}
