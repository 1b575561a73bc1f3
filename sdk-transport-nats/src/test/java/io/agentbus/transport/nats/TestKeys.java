package io.agentbus.transport.nats;

/**
 * An NKey user made for these tests only (generating one takes a second of entropy). Not a
 * secret: it opens nothing but the test servers started with it.
 */
final class TestKeys {
  static final String USER_SEED = "SUAFXFOPEBE3CZEOTOFNL55I5FRDOAIVLP5QFAH6CATS5VMF2QO3X7A4NY";
  static final String USER_PUBLIC_KEY = "UCVOI5KAHYI4NHDKRRDDHFJXDSJPSWUAVRO6WDEXO42EJ2IP4QZIYOLI";

  private TestKeys() {}
}
