package io.agentbus.agent.config;

import io.agentbus.config.Settings;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Warnings about the environment that would otherwise pass in silence: an {@code AGENTBUS_*}
 * variable no setting reads (a misspelling, usually), and a NATS URL set while the transport is
 * not NATS.
 */
final class EnvironmentWarnings {
  /** Variables of AgentBus tools (the agentbus command's launcher, the build's), not settings. */
  private static final Set<String> TOOL_PREFIXES =
      Set.of("AGENTBUS_CLI_", "AGENTBUS_INTEROP_", "AGENTBUS_BENCH_");

  private EnvironmentWarnings() {}

  static void warn(Logger log, Settings settings, String transport, String transportSource,
      Set<String> transportNames, Set<String> codecNames) {
    for (String name : settings.environmentNames("AGENTBUS_")) {
      if (!isRead(name, transportNames, codecNames)) {
        String near = nearest(name);
        log.warn("Unknown environment variable {} is ignored{}; known: {}", name,
            near == null ? "" : " (did you mean " + near + "?)", Arrays.stream(ConfigKey.values())
                .map(ConfigKey::envVar).collect(Collectors.joining(", ")) + ", AGENTBUS_NATS_*");
      }
    }
    if (!"nats".equals(transport)) {
      Settings.Value url = settings.find("agentbus.nats.url", "AGENTBUS_NATS_URL");
      if (url == null) {
        url = settings.find("agentbus.nats.url", "NATS_URL");
      }
      if (url != null) {
        log.warn("{} is set ({}) but {} is {} (from {}): this process does not connect to NATS."
            + " Set {}=nats (or -D{}=nats) to use it", url.origin(), url.text(),
            ConfigKey.TRANSPORT.key(), transport, transportSource, ConfigKey.TRANSPORT.envVar(),
            ConfigKey.TRANSPORT.key());
      }
    }
  }

  private static boolean isRead(String name, Set<String> transportNames, Set<String> codecNames) {
    if (Arrays.stream(ConfigKey.values()).anyMatch(k -> k.envVar().equals(name))
        || TOOL_PREFIXES.stream().anyMatch(name::startsWith)) {
      return true;
    }
    // a transport's or codec's own variables (AGENTBUS_NATS_*): that module checks them
    return Stream.concat(transportNames.stream(), codecNames.stream())
        .anyMatch(n -> name.startsWith("AGENTBUS_" + n.toUpperCase(Locale.ROOT) + "_"));
  }

  /** The known variable at an edit distance of at most 2, if any. */
  private static @Nullable String nearest(String name) {
    return Arrays.stream(ConfigKey.values())
        .map(ConfigKey::envVar)
        .filter(known -> distance(name, known) <= 2)
        .min(Comparator.comparingInt(known -> distance(name, known)))
        .orElse(null);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
