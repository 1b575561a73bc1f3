package io.agentbus.spi;

import io.agentbus.Headers;
import org.jspecify.annotations.Nullable;

/**
 * A message as a transport carries it: the subject it was published to, an optional reply subject,
 * headers and the payload bytes. The payload array is not copied: neither side may modify it after
 * handing it over.
 */
public record TransportMessage(
    String subject, @Nullable String replyTo, Headers headers, byte[] payload) {

  @Override
  public String toString() {
    return "TransportMessage{subject=" + subject + ", replyTo=" + replyTo + ", headers=" + headers
        + ", payload=" + payload.length + " bytes}";
  }
}
