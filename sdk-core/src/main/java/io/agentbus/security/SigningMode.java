package io.agentbus.security;

import java.util.Locale;

/** How a bus signs and verifies messages ({@code agentbus.security.signing}). */
public enum SigningMode {
  /** Nothing signed, nothing verified (the default); replies are still checked against requests. */
  OFF,
  /** Signs what it sends; accepts unsigned messages, refuses signed ones that do not verify. */
  SIGN,
  /** Signs what it sends; refuses what is unsigned, untrusted, altered or replayed. */
  REQUIRE;

  /** The configuration name: {@code off}, {@code sign}, {@code require}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The mode named {@code name} (any case).
   *
   * @throws IllegalArgumentException naming the valid values
   */
  public static SigningMode of(String name) {
    for (SigningMode m : values()) {
      if (m.configName().equalsIgnoreCase(name.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a signing mode; use off, sign or "
        + "require");
  }
}
