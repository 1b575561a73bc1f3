package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.transport.nats.NatsTransportConfig.Key;
import io.nats.client.NKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reading NKey seeds from files: a seed file ({@code SU...} on a line of its own, as {@code nk
 * -gen user} writes it) and the seed inside a {@code .creds} file. Errors name the file and the
 * setting, never the seed. Not instantiable.
 */
final class NKeyFiles {
  private static final String CREDS_SEED_BEGIN = "-----BEGIN USER NKEY SEED-----";

  private NKeyFiles() {}

  /** The key of the seed in {@code file}, read now. */
  static NKey readSeedFile(Path file, Key key) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigurationException(key.property() + " (" + key.environmentVariable()
          + "): cannot read " + file + " (" + e.getClass().getSimpleName() + ")", e);
    }
    for (String line : lines) {
      String t = line.trim();
      if (t.startsWith("SU")) {
        try {
          return NKey.fromSeed(t.toCharArray());
        } catch (RuntimeException e) {
          break;
        }
      }
    }
    throw new ConfigurationException(key.property() + " (" + key.environmentVariable() + "): "
        + file + " holds no valid NKey user seed (a line starting with 'SU', as 'nk -gen user' "
        + "or AgentBus' NatsAuthorization writes it)");
  }

  /** The user seed inside a {@code .creds} file, or null if there is none. */
  static @Nullable String seedInCreds(Path creds) {
    try {
      List<String> lines = Files.readAllLines(creds, StandardCharsets.US_ASCII);
      for (int i = 0; i < lines.size() - 1; i++) {
        if (lines.get(i).trim().equals(CREDS_SEED_BEGIN)) {
          for (int j = i + 1; j < lines.size(); j++) {
            String t = lines.get(j).trim();
            if (!t.isEmpty()) {
              return t;
            }
          }
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The public key ({@code U...}) of a seed. */
  static String publicKey(String seed) {
    try {
      return new String(NKey.fromSeed(seed.toCharArray()).getPublicKey());
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw new ConfigurationException("Not a valid NKey seed (" + e.getClass().getSimpleName()
          + ")", e);
    }
  }
}
