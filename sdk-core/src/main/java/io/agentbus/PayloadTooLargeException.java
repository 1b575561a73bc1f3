package io.agentbus;

/** A message's encoded size exceeds what the transport (or server) accepts. Nothing was sent. */
public final class PayloadTooLargeException extends AgentBusException {
  private static final long serialVersionUID = 1L;
  private final long size;
  private final long maxPayload;

  public PayloadTooLargeException(String subject, long size, long maxPayload) {
    super("Payload of " + size + " bytes for '" + subject + "' exceeds the maximum payload of "
        + maxPayload + " bytes");
    this.size = size;
    this.maxPayload = maxPayload;
  }

  public long size() {
    return size;
  }

  public long maxPayload() {
    return maxPayload;
  }
}
