package io.agentbus.spi;

import io.agentbus.MessageBus;

/**
 * An optional capability added to a {@link MessageBus} as a whole, such as tracing or metrics:
 * it adds its {@linkplain MessageInterceptor interceptors} to the builder, and may watch the bus
 * once built. Added with {@link MessageBus.Builder#addExtension}, or by configuration through a
 * {@link BusExtensionProvider}.
 */
public interface BusExtension {

  /**
   * Adds what this extension needs to {@code builder} (interceptors, for instance). Called once,
   * when the extension is added to the builder.
   */
  void configure(MessageBus.Builder builder);

  /**
   * Called once {@code bus} is built, before it is handed to anyone: an extension may read its
   * {@link MessageBus#stats()}, add a {@linkplain MessageBus#addConnectionListener connection
   * listener}, and so on. The default does nothing. What it throws fails the build (the bus is
   * closed again).
   */
  default void bind(MessageBus bus) {}
}
