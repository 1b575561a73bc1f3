package io.agentbus.opentelemetry;

import io.agentbus.Headers;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes trace context in AgentBus {@link Headers}. NATS header names are
 * case-sensitive; W3C names are lower case, but a name written by another client in another case
 * ({@code Traceparent}) is found too.
 */
final class HeaderCarrier {
  static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers carrier) {
      return carrier.names();
    }

    @Override
    public @Nullable String get(@Nullable Headers carrier, String key) {
      if (carrier == null) {
        return null;
      }
      String value = carrier.first(key);
      if (value != null) {
        return value;
      }
      for (String name : carrier.names()) {
        if (name.equalsIgnoreCase(key)) {
          return carrier.first(name);
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return "AgentBus Headers getter";
    }
  };

  static final TextMapSetter<Headers.Builder> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.set(key.toLowerCase(Locale.ROOT), value);
    }
  };

  private HeaderCarrier() {}
}
