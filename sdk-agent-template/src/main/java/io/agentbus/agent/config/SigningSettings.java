package io.agentbus.agent.config;

import io.agentbus.ConfigurationException;
import io.agentbus.config.ConfigValues;
import io.agentbus.config.Settings;
import io.agentbus.security.MessageSigning;
import io.agentbus.security.SigningMode;
import io.agentbus.security.TrustedKeys;
import io.agentbus.spi.Providers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * {@code agentbus.security.signing}, {@code trusted-keys}, {@code seed-file} and {@code
 * replay-window} read into a {@link MessageSigning}, or null when signing is off. Errors name the
 * key, its value and where it came from, never a seed.
 */
final class SigningSettings {
  /** The NATS transport's NKey seed, which signs when no seed file is given. */
  static final String NATS_SEED = "agentbus.nats.nkey-seed";
  static final String NATS_SEED_ENV = "AGENTBUS_NATS_NKEY_SEED";

  private SigningSettings() {}

  static @Nullable MessageSigning read(Settings settings) {
    Settings.Value modeValue = settings.find(ConfigKey.SECURITY_SIGNING.key(),
        ConfigKey.SECURITY_SIGNING.envVar());
    SigningMode mode;
    try {
      mode = modeValue == null ? SigningMode.OFF : SigningMode.of(modeValue.text());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(Settings.describe(ConfigKey.SECURITY_SIGNING.key(),
          modeValue) + ": " + e.getMessage());
    }
    if (mode == SigningMode.OFF) {
      return null;
    }
    MessageSigning.Builder b = MessageSigning.builder().mode(mode).seed(seed(settings, mode));
    Settings.Value trusted = settings.find(ConfigKey.SECURITY_TRUSTED_KEYS.key(),
        ConfigKey.SECURITY_TRUSTED_KEYS.envVar());
    if (trusted != null) {
      b.trustedKeys(TrustedKeys.read(Path.of(trusted.text())));
    } else if (mode == SigningMode.REQUIRE) {
      throw new ConfigurationException(ConfigKey.SECURITY_SIGNING.key() + "=require (from "
          + modeValue.origin() + ") needs " + ConfigKey.SECURITY_TRUSTED_KEYS.key() + " ("
          + ConfigKey.SECURITY_TRUSTED_KEYS.envVar() + "): a file of '<agent id> = <public "
          + "NKey>' lines naming whom to trust");
    }
    Settings.Value window = settings.find(ConfigKey.SECURITY_REPLAY_WINDOW.key(),
        ConfigKey.SECURITY_REPLAY_WINDOW.envVar());
    if (window != null) {
      b.replayWindow(ConfigValues.positiveDuration(
          Settings.describe(ConfigKey.SECURITY_REPLAY_WINDOW.key(), window), window.text()));
    }
    Settings.Value ed25519 = settings.find(ConfigKey.SECURITY_ED25519.key(),
        ConfigKey.SECURITY_ED25519.envVar());
    if (ed25519 != null) {
      b.ed25519(Providers.ed25519(ed25519.text()));
    }
    return b.build();
  }

  private static String seed(Settings settings, SigningMode mode) {
    Settings.Value file = settings.find(ConfigKey.SECURITY_SEED_FILE.key(),
        ConfigKey.SECURITY_SEED_FILE.envVar());
    if (file != null) {
      try {
        return Files.readString(Path.of(file.text()), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new ConfigurationException("Cannot read the seed file named by "
            + Settings.describe(ConfigKey.SECURITY_SEED_FILE.key(), file) + ": " + e, e);
      }
    }
    Settings.Value nats = settings.find(NATS_SEED, NATS_SEED_ENV);
    if (nats != null) {
      return nats.text().trim();
    }
    throw new ConfigurationException(ConfigKey.SECURITY_SIGNING.key() + "=" + mode.configName()
        + " needs the NKey seed to sign with: set " + ConfigKey.SECURITY_SEED_FILE.key() + " ("
        + ConfigKey.SECURITY_SEED_FILE.envVar() + ") to a file holding it, or connect to NATS "
        + "with an NKey (" + NATS_SEED + ")");
  }
}
