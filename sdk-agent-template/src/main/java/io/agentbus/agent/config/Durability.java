package io.agentbus.agent.config;

import io.agentbus.ConfigurationException;
import io.agentbus.HistoryOptions;
import io.agentbus.InvalidSubjectException;
import io.agentbus.QueueOptions;
import io.agentbus.Subjects;
import io.agentbus.config.ConfigValues;
import io.agentbus.config.Settings;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The queue and history settings of a configuration ({@link QueueKey}, {@link HistoryKey}), read
 * and validated once. Every key under {@code agentbus.queue.}, {@code agentbus.queues.} and
 * {@code agentbus.history.} must be one of theirs: a misspelt option fails rather than leaving a
 * queue silently at most once.
 */
record Durability(
    QueueOptions defaultQueue,
    Map<String, QueueOptions> queues,
    @Nullable HistoryOptions broadcasts,
    @Nullable HistoryOptions deadLetters) {

  static final String QUEUES_PREFIX = "agentbus.queues.";
  static final String HISTORY_PREFIX = "agentbus.history.";

  /**
   * Reads the keys from {@code settings}.
   *
   * @throws ConfigurationException naming the key, its value and origin for anything invalid
   */
  static Durability read(Settings settings) {
    checkQueuesKeys(settings);
    QueueOptions defaultQueue = queue(settings, null);
    Map<String, QueueOptions> queues = new LinkedHashMap<>();
    for (String name : queueNames(settings)) {
      queues.put(name, queue(settings, name));
    }
    boolean anyDurable = defaultQueue.isDurable()
        || queues.values().stream().anyMatch(QueueOptions::isDurable);
    if (!anyDurable) {
      for (QueueKey k : QueueKey.values()) {
        Settings.Value v = k.hasDefaultKey() ? settings.find(k.defaultKey()) : null;
        if (k != QueueKey.DURABLE && v != null) {
          throw new ConfigurationException(Settings.describe(k.defaultKey(), v) + " is set to '"
              + v.text() + "', but no queue is durable, so it would change nothing: set "
              + QueueKey.DURABLE.defaultKey() + "=true or "
              + QueueKey.DURABLE.keyFor("<name>") + "=true");
        }
      }
    }
    checkHistoryKeys(settings);
    return new Durability(defaultQueue, Map.copyOf(queues),
        history(settings, HistoryKey.BROADCASTS_PREFIX),
        history(settings, HistoryKey.DEAD_LETTERS_PREFIX));
  }

  /** The queue names that {@code agentbus.queue.<name>.<option>} keys name, sorted. */
  private static TreeSet<String> queueNames(Settings settings) {
    TreeSet<String> names = new TreeSet<>();
    for (String key : settings.propertyNames(QueueKey.QUEUE_PREFIX)) {
      String rest = key.substring(QueueKey.QUEUE_PREFIX.length());
      int dot = rest.lastIndexOf('.');
      Settings.Value v = settings.find(key);
      if (dot <= 0) {
        throw invalidKey(key, v, "expected " + QueueKey.QUEUE_PREFIX + "<name>.<option>");
      }
      String name = rest.substring(0, dot);
      String option = rest.substring(dot + 1);
      if (QueueKey.forOption(option).isEmpty()) {
        throw invalidKey(key, v, "'" + option + "' is no queue option; valid options are "
            + options(QueueKey.values()));
      }
      try {
        Subjects.requireToken("queue name", name);
      } catch (InvalidSubjectException e) {
        throw invalidKey(key, v, "'" + name + "' is not a queue name: " + e.getMessage());
      }
      names.add(name);
    }
    return names;
  }

  private static void checkQueuesKeys(Settings settings) {
    for (String key : settings.propertyNames(QUEUES_PREFIX)) {
      Settings.Value v = settings.find(key);
      if (!key.startsWith(QueueKey.DEFAULT_PREFIX)) {
        throw invalidKey(key, v, "the only key of this form is " + QueueKey.DEFAULT_PREFIX
            + "<option>; a queue of its own is set with " + QueueKey.QUEUE_PREFIX
            + "<name>.<option>");
      }
      String option = key.substring(QueueKey.DEFAULT_PREFIX.length());
      Optional<QueueKey> k = QueueKey.forOption(option);
      if (k.isEmpty() || !k.get().hasDefaultKey()) {
        throw invalidKey(key, v, "'" + option + "' is no option of the default queue; valid "
            + "options are " + options(Arrays.stream(QueueKey.values())
                .filter(QueueKey::hasDefaultKey).toArray(QueueKey[]::new)));
      }
    }
  }

  private static void checkHistoryKeys(Settings settings) {
    for (String key : settings.propertyNames(HISTORY_PREFIX)) {
      Settings.Value v = settings.find(key);
      String prefix = key.startsWith(HistoryKey.BROADCASTS_PREFIX) ? HistoryKey.BROADCASTS_PREFIX
          : key.startsWith(HistoryKey.DEAD_LETTERS_PREFIX) ? HistoryKey.DEAD_LETTERS_PREFIX
          : null;
      if (prefix == null) {
        throw invalidKey(key, v, "histories are " + HistoryKey.BROADCASTS_PREFIX
            + "<option> and " + HistoryKey.DEAD_LETTERS_PREFIX + "<option>");
      }
      String option = key.substring(prefix.length());
      if (HistoryKey.forOption(option).isEmpty()) {
        throw invalidKey(key, v, "'" + option + "' is no history option; valid options are "
            + options(HistoryKey.values()));
      }
    }
  }

  /** The options of queue {@code name}, or of the default queue when {@code name} is null. */
  private static QueueOptions queue(Settings settings, @Nullable String name) {
    Map<QueueKey, Map.Entry<String, Settings.Value>> set = new EnumMap<>(QueueKey.class);
    for (QueueKey k : QueueKey.values()) {
      Settings.Value own = name == null ? null : settings.find(k.keyFor(name));
      Settings.Value fallback = k.hasDefaultKey() ? settings.find(k.defaultKey()) : null;
      if (own != null) {
        set.put(k, Map.entry(k.keyFor(name), own));
      } else if (fallback != null) {
        set.put(k, Map.entry(k.defaultKey(), fallback));
      }
    }
    Map.Entry<String, Settings.Value> durable = set.remove(QueueKey.DURABLE);
    boolean isDurable = durable != null && ConfigValues.bool(
        Settings.describe(durable.getKey(), durable.getValue()), durable.getValue().text());
    if (!isDurable) {
      if (name != null) {
        for (Map.Entry<String, Settings.Value> e : set.values()) {
          if (e.getKey().startsWith(QueueKey.QUEUE_PREFIX)) {
            throw new ConfigurationException(Settings.describe(e.getKey(), e.getValue())
                + " is set to '" + e.getValue().text() + "', but queue '" + name
                + "' is not durable, and the option applies to durable queues only: set "
                + QueueKey.DURABLE.keyFor(name) + "=true");
          }
        }
      }
      return QueueOptions.atMostOnce();
    }
    QueueOptions.Builder b = QueueOptions.durable();
    set.forEach((k, e) -> {
      String source = Settings.describe(e.getKey(), e.getValue());
      try {
        k.apply(b, source, e.getValue().text());
      } catch (ConfigurationException ex) {
        throw naming(source, e.getValue().text(), ex);
      }
    });
    return b.build();
  }

  /** The history under {@code prefix}: null unless its max-age is set. */
  private static @Nullable HistoryOptions history(Settings settings, String prefix) {
    String ageKey = prefix + HistoryKey.MAX_AGE.option();
    Settings.Value maxAge = settings.find(ageKey);
    if (maxAge == null) {
      for (HistoryKey k : HistoryKey.values()) {
        Settings.Value v = settings.find(prefix + k.option());
        if (v != null) {
          throw new ConfigurationException(Settings.describe(prefix + k.option(), v)
              + " is set to '" + v.text() + "', but " + ageKey + " is not, and a history is "
              + "configured only with its max age"
              + (prefix.equals(HistoryKey.DEAD_LETTERS_PREFIX)
                  ? " (without it, dead letters of durable queues are kept 7 days)" : ""));
        }
      }
      return null;
    }
    HistoryOptions.Builder b = HistoryOptions.keepFor(
        ConfigValues.positiveDuration(Settings.describe(ageKey, maxAge), maxAge.text()));
    for (HistoryKey k : HistoryKey.values()) {
      String key = prefix + k.option();
      Settings.Value v = settings.find(key);
      if (v == null || k == HistoryKey.MAX_AGE) {
        continue;
      }
      String source = Settings.describe(key, v);
      try {
        k.apply(b, source, v.text());
      } catch (ConfigurationException ex) {
        throw naming(source, v.text(), ex);
      }
    }
    return b.build();
  }

  private static ConfigurationException invalidKey(String key, Settings.@Nullable Value v,
      String why) {
    return new ConfigurationException("Unknown setting " + key
        + (v == null ? "" : " (from " + v.origin() + ")") + ": " + why);
  }

  private static String options(Enum<?>[] keys) {
    return Arrays.stream(keys).map(k -> k instanceof QueueKey q ? q.option()
        : ((HistoryKey) k).option()).collect(Collectors.joining(", "));
  }

  /**
   * {@code ex} as it is when it names the setting already (the value's grammar failed), else
   * wrapped to name it (the builder refused the value, knowing nothing of keys and sources).
   */
  private static ConfigurationException naming(String source, String text,
      ConfigurationException ex) {
    String m = ex.getMessage();
    if (m != null && m.contains(source)) {
      return ex;
    }
    return new ConfigurationException("Invalid value '" + text + "' for " + source + ": " + m, ex);
  }
}
