package io.agentbus.transport.nats.security;

/** Prints the one {@code SECURITY-FIGURES} line of a scenario, for the lead's summary. */
final class SecurityFigures {
  private SecurityFigures() {}

  static void print(String scenario, int attempted, int refused, int leaked) {
    System.out.println("SECURITY-FIGURES scenario=" + scenario + " attempted=" + attempted
        + " refused=" + refused + " leaked=" + leaked);
  }
}
