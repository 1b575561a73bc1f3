package io.agentbus.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.agent.config.ConfigKey;
import io.agentbus.agent.config.HistoryKey;
import io.agentbus.agent.config.QueueKey;
import io.agentbus.transport.nats.NatsAuth;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.agentbus.transport.nats.NatsTransportConfig.Key;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/configuration.md} true to the code: every key that {@link ConfigKey}, {@link
 * QueueKey}, {@link HistoryKey} and {@link NatsTransportConfig.Key} define is in the page's tables with its environment variable and
 * its default, and the page lists no key the code does not know. A failure lists every
 * disagreement, with the row as the code defines it where one is missing.
 */
class ConfigurationDocTest {
  /** {@code | `key` | `ENV` or `ENV2` | default | meaning |} */
  private static final Pattern ROW =
      Pattern.compile("^\\|\\s*`(agentbus\\.[^`]+)`\\s*\\|([^|]*)\\|([^|]*)\\|(.*)\\|\\s*$");
  private static final Pattern CODE = Pattern.compile("`([^`]*)`");
  /** The page's way of saying "no default". */
  private static final String NONE = "none";
  /** How the page writes a queue's name, a history's kind and the default queue's options. */
  private static final String QUEUE_NAME = "<name>";
  private static final String HISTORY = "agentbus.history.<history>.";
  private static final String QUEUES_DEFAULT = QueueKey.DEFAULT_PREFIX + "<option>";

  private record Row(String key, List<String> envVars, String defaultValue) {}

  private static final Map<String, Row> PAGE = readPage();

  @Test
  void everyGeneralKeyIsListedWithItsVariableAndDefault() {
    List<String> problems = new ArrayList<>();
    for (ConfigKey k : ConfigKey.values()) {
      String expectedDefault = k.defaultValue().orElse(NONE);
      Row row = PAGE.get(k.key());
      if (row == null) {
        problems.add("missing row: | `" + k.key() + "` | `" + k.envVar() + "` | "
            + (expectedDefault.equals(NONE) ? NONE : "`" + expectedDefault + "`") + " | "
            + k.description() + " |");
        continue;
      }
      if (!row.envVars().contains(k.envVar())) {
        problems.add(k.key() + ": the page does not name " + k.envVar() + " (it has "
            + row.envVars() + ")");
      }
      if (!row.defaultValue().equals(expectedDefault)) {
        problems.add(k.key() + ": the page says the default is '" + row.defaultValue()
            + "', the code says '" + expectedDefault + "'");
      }
    }
    assertThat(problems).as(report(problems)).isEmpty();
  }

  /**
   * Every queue option is listed as {@code agentbus.queue.<name>.<option>} with its default (none
   * where it has none), and the default queue's keys as {@code agentbus.queues.default.<option>};
   * every history option as {@code agentbus.history.<history>.<option>}. None has an environment
   * variable.
   */
  @Test
  void everyQueueAndHistoryKeyIsListedWithItsDefault() {
    List<String> problems = new ArrayList<>();
    for (QueueKey k : QueueKey.values()) {
      checkPatternRow(k.keyFor(QUEUE_NAME), k.defaultValue().orElse(NONE), k.description(),
          problems);
    }
    checkPatternRow(QUEUES_DEFAULT, NONE, "...", problems);
    for (HistoryKey k : HistoryKey.values()) {
      checkPatternRow(HISTORY + k.option(), k.defaultValue().orElse(NONE), k.description(),
          problems);
    }
    assertThat(problems).as(report(problems)).isEmpty();
  }

  private static void checkPatternRow(String key, String expectedDefault, String description,
      List<String> problems) {
    Row row = PAGE.get(key);
    if (row == null) {
      problems.add("missing row: | `" + key + "` | none | "
          + (expectedDefault.equals(NONE) ? NONE : "`" + expectedDefault + "`") + " | "
          + description + " |");
      return;
    }
    if (!row.envVars().isEmpty()) {
      problems.add(key + ": the page names environment variables " + row.envVars()
          + ", the code reads none");
    }
    if (!row.defaultValue().equals(expectedDefault)) {
      problems.add(key + ": the page says the default is '" + row.defaultValue()
          + "', the code says '" + expectedDefault + "'");
    }
  }

  /**
   * A documented NATS default must be what the transport uses when the key is not set: the test
   * sets the key to the documented value and compares the resulting setting with the unset one,
   * so the transport's own parser reads the page. "none" means the setting is absent.
   */
  @Test
  void everyNatsKeyIsListedWithItsVariableAndDefault() {
    NatsTransportConfig unset = natsConfig(Map.of());
    Map<Key, Function<NatsTransportConfig, @Nullable Object>> settings = natsSettings();
    List<String> problems = new ArrayList<>();
    for (Key k : Key.values()) {
      Function<NatsTransportConfig, @Nullable Object> setting = settings.get(k);
      if (setting == null) {
        problems.add(k.property() + ": ConfigurationDocTest.natsSettings() does not say how to"
            + " read this setting; add it there and to docs/configuration.md");
        continue;
      }
      Row row = PAGE.get(k.property());
      if (row == null) {
        problems.add("missing row: | `" + k.property() + "` | `" + k.environmentVariable()
            + "` | " + display(setting.apply(unset)) + " | ... |");
        continue;
      }
      if (!row.envVars().contains(k.environmentVariable())) {
        problems.add(k.property() + ": the page does not name " + k.environmentVariable()
            + " (it has " + row.envVars() + ")");
      }
      Object actual = setting.apply(unset);
      if (k == Key.CONNECTION_NAME) {
        // documented as a pattern: agentbus-<host>-<pid>
        if (!row.defaultValue().equals("agentbus-<host>-<pid>")
            || !String.valueOf(actual).matches("agentbus-.+-" + ProcessHandle.current().pid())) {
          problems.add(k.property() + ": the page says '" + row.defaultValue()
              + "', the code gives '" + actual + "'");
        }
      } else if (isAbsent(row.defaultValue())) {
        if (!isAbsent(actual)) {
          problems.add(k.property() + ": the page says there is no default, the code gives '"
              + actual + "'");
        }
      } else {
        Object documented = setting.apply(natsConfig(Map.of(k.property(), row.defaultValue())));
        if (!Objects.equals(documented, actual)) {
          problems.add(k.property() + ": the page's default '" + row.defaultValue()
              + "' gives " + documented + ", the code's default is " + actual);
        }
      }
    }
    assertThat(problems).as(report(problems)).isEmpty();
  }

  @Test
  void thePageListsNoKeyTheCodeLacks() {
    List<String> known = new ArrayList<>();
    for (ConfigKey k : ConfigKey.values()) {
      known.add(k.key());
    }
    for (Key k : Key.values()) {
      known.add(k.property());
    }
    for (QueueKey k : QueueKey.values()) {
      known.add(k.keyFor(QUEUE_NAME));
    }
    known.add(QUEUES_DEFAULT);
    for (HistoryKey k : HistoryKey.values()) {
      known.add(HISTORY + k.option());
    }
    assertThat(PAGE.keySet()).as("keys listed in docs/configuration.md").isSubsetOf(known);
  }

  /** How to read each NATS setting back from a config; secrets have no getter, only an effect. */
  private static Map<Key, Function<NatsTransportConfig, @Nullable Object>> natsSettings() {
    Map<Key, Function<NatsTransportConfig, @Nullable Object>> m = new EnumMap<>(Key.class);
    m.put(Key.URL, NatsTransportConfig::servers);
    m.put(Key.CONNECTION_NAME, NatsTransportConfig::connectionName);
    m.put(Key.TOKEN, c -> noneIfAbsent(c.auth()));
    m.put(Key.TOKEN_FILE, c -> noneIfAbsent(c.auth()));
    m.put(Key.USER, c -> noneIfAbsent(c.auth()));
    m.put(Key.PASSWORD, c -> noneIfAbsent(c.auth()));
    m.put(Key.NKEY_SEED, c -> noneIfAbsent(c.auth()));
    m.put(Key.CREDS_FILE, c -> noneIfAbsent(c.auth()));
    m.put(Key.NKEY_SEED_FILE, c -> noneIfAbsent(c.auth()));
    // without an identity of its own; with one, _INBOX_<public NKey> (NatsLeastPrivilegeTest)
    m.put(Key.INBOX_PREFIX, NatsTransportConfig::inboxPrefix);
    m.put(Key.TLS_INSECURE_SKIP_HOSTNAME_CHECK, c -> !c.verifiesHostname());
    m.put(Key.CONNECT_RETRY, NatsTransportConfig::connectRetry);
    m.put(Key.TLS, NatsTransportConfig::tls);
    // without a store TLS stays off: the JVM's own trust store applies once it is on
    m.put(Key.TLS_KEYSTORE, c -> c.tls() ? "set" : null);
    m.put(Key.TLS_KEYSTORE_PASSWORD, c -> c.tls() ? "set" : null);
    m.put(Key.TLS_TRUSTSTORE, c -> c.tls() ? "set" : null);
    m.put(Key.TLS_TRUSTSTORE_PASSWORD, c -> c.tls() ? "set" : null);
    m.put(Key.CONNECT_TIMEOUT, NatsTransportConfig::connectTimeout);
    m.put(Key.RECONNECT_WAIT, NatsTransportConfig::reconnectWait);
    m.put(Key.MAX_RECONNECTS, NatsTransportConfig::maxReconnects);
    m.put(Key.RECONNECT_BUFFER_SIZE, NatsTransportConfig::reconnectBufferSize);
    m.put(Key.PING_INTERVAL, NatsTransportConfig::pingInterval);
    m.put(Key.MAX_PINGS_OUT, NatsTransportConfig::maxPingsOut);
    m.put(Key.JETSTREAM_API_TIMEOUT, NatsTransportConfig::jetStreamApiTimeout);
    m.put(Key.DRAIN_TIMEOUT, NatsTransportConfig::drainTimeout);
    m.put(Key.OUTGOING_QUEUE_SIZE, NatsTransportConfig::outgoingQueueSize);
    m.put(Key.PENDING_MESSAGES, NatsTransportConfig::pendingMessages);
    m.put(Key.PENDING_BYTES, NatsTransportConfig::pendingBytes);
    return m;
  }

  private static @Nullable NatsAuth noneIfAbsent(NatsAuth auth) {
    return auth instanceof NatsAuth.None ? null : auth;
  }

  private static boolean isAbsent(@Nullable Object value) {
    return value == null || Boolean.FALSE.equals(value) || NONE.equals(value)
        || "the JVM's".equals(value);
  }

  private static String display(@Nullable Object value) {
    return isAbsent(value) ? NONE : "`" + value + "`";
  }

  /** A NATS config from exactly these properties: no environment variable leaks in. */
  private static NatsTransportConfig natsConfig(Map<String, String> properties) {
    Properties p = new Properties();
    p.putAll(properties);
    return NatsTransportConfig.fromEnvironment(Map.of(), p);
  }

  private static String report(List<String> problems) {
    return "docs/configuration.md disagrees with the code:\n  "
        + String.join("\n  ", problems) + "\n";
  }

  private static Map<String, Row> readPage() {
    Path page = docsDirectory().resolve("configuration.md");
    List<String> lines;
    try {
      lines = Files.readAllLines(page, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("Cannot read " + page, e);
    }
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : lines) {
      Matcher m = ROW.matcher(line);
      if (!m.matches()) {
        continue;
      }
      List<String> envs = new ArrayList<>();
      Matcher c = CODE.matcher(m.group(2));
      while (c.find()) {
        envs.add(c.group(1));
      }
      String def = m.group(3).trim();
      Matcher d = CODE.matcher(def);
      if (d.matches()) {
        def = d.group(1);
      }
      Row previous = rows.put(m.group(1), new Row(m.group(1), envs, def));
      assertThat(previous).as("docs/configuration.md lists %s twice", m.group(1)).isNull();
    }
    assertThat(rows).as("rows of the tables in %s", page).isNotEmpty();
    return rows;
  }

  /** {@code docs/} at the root of the checkout; the tests run in the module's directory. */
  private static Path docsDirectory() {
    Path start = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
        .toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docs/configuration.md"))) {
        return p.resolve("docs");
      }
    }
    throw new AssertionError("No docs/configuration.md in " + start + " or above");
  }
}
