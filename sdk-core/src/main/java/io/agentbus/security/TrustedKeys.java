package io.agentbus.security;

import io.agentbus.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The public keys a bus trusts, by agent id: a message signed as agent {@code a} is accepted only
 * if it verifies with the key trusted for {@code a}. Several agents (of one host process) may
 * share a key. Immutable and thread-safe.
 *
 * <p>The file ({@code agentbus.security.trusted-keys}) has one {@code <agent id> = <user public
 * NKey>} per line; blank lines and lines starting with {@code #} are ignored. An empty file trusts
 * nobody.
 */
public final class TrustedKeys {
  private final Map<String, PublicKey> keys;
  private final Map<String, String> nkeys;

  private TrustedKeys(Map<String, PublicKey> keys, Map<String, String> nkeys) {
    this.keys = Map.copyOf(keys);
    this.nkeys = Map.copyOf(nkeys);
  }

  /** Trusts nobody. */
  public static TrustedKeys none() {
    return new TrustedKeys(Map.of(), Map.of());
  }

  /**
   * Trusts the given agents' public NKeys ({@code U...}).
   *
   * @throws ConfigurationException if a key is not a valid user public NKey, naming its agent
   */
  public static TrustedKeys of(Map<String, String> publicKeysByAgent) {
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    Map<String, String> nkeys = new LinkedHashMap<>();
    publicKeysByAgent.forEach((agent, nkey) -> {
      try {
        keys.put(agent, NKeys.publicKey(nkey));
      } catch (ConfigurationException e) {
        throw new ConfigurationException("The trusted key of agent '" + agent + "': "
            + e.getMessage(), e);
      }
      nkeys.put(agent, nkey.trim());
    });
    return new TrustedKeys(keys, nkeys);
  }

  /**
   * Reads a trusted-keys file.
   *
   * @throws ConfigurationException if it cannot be read or a line is not {@code id = key},
   *     naming the file and line
   */
  public static TrustedKeys read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigurationException("Cannot read the trusted-keys file " + file + ": " + e, e);
    }
    Map<String, String> byAgent = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String agent = eq < 0 ? "" : line.substring(0, eq).trim();
      String key = eq < 0 ? "" : line.substring(eq + 1).trim();
      if (agent.isEmpty() || key.isEmpty()) {
        throw new ConfigurationException("Line " + (i + 1) + " of the trusted-keys file " + file
            + " is not '<agent id> = <public NKey>'");
      }
      if (byAgent.put(agent, key) != null) {
        throw new ConfigurationException("Line " + (i + 1) + " of the trusted-keys file " + file
            + " names agent '" + agent + "' a second time");
      }
    }
    try {
      return of(byAgent);
    } catch (ConfigurationException e) {
      throw new ConfigurationException("In the trusted-keys file " + file + ": " + e.getMessage(),
          e);
    }
  }

  /** The key trusted for {@code agentId}, or null. */
  public @Nullable PublicKey keyOf(String agentId) {
    return keys.get(agentId);
  }

  /** The public NKeys trusted, by agent id. */
  public Map<String, String> asMap() {
    return nkeys;
  }

  @Override
  public String toString() {
    return "TrustedKeys" + nkeys.keySet();
  }
}
