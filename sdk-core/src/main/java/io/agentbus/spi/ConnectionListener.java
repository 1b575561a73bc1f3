package io.agentbus.spi;

/**
 * Told of connection changes and slow consumers. Called on a transport thread: return quickly and
 * do not throw (an exception is logged and ignored).
 */
@FunctionalInterface
public interface ConnectionListener {
  void onEvent(ConnectionEvent event);
}
