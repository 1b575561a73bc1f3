package io.agentbus.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Resolved configuration: layers of settings, each named for error messages, the later layer
 * winning. A setting has a property key ({@code agentbus.nats.url}) and may also have an
 * environment variable ({@code NATS_URL}); the environment is one layer among the others, so
 * "system properties over environment over files" is simply the order the layers are added in.
 *
 * <pre>{@code
 * Settings s = Settings.builder()
 *     .properties("agentbus.properties", fromClasspath)
 *     .environment(System.getenv())
 *     .properties("system properties", systemProperties)
 *     .build();
 * Duration d = s.duration("agentbus.request-timeout", "AGENTBUS_REQUEST_TIMEOUT", Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>A blank value counts as unset. Values are parsed with {@link ConfigValues}; errors name the
 * setting and the layer it came from. Immutable and thread-safe.
 */
public final class Settings {
  private static final Settings EMPTY = new Settings(List.of());

  private final List<Layer> layers; // lowest precedence first

  private Settings(List<Layer> layers) {
    this.layers = List.copyOf(layers);
  }

  /** No settings: every lookup finds nothing. */
  public static Settings empty() {
    return EMPTY;
  }

  /** One layer of properties, named {@code origin}. */
  public static Settings of(String origin, Map<String, String> properties) {
    return builder().properties(origin, properties).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A value and where it came from ({@code "environment variable NATS_URL"}, say). */
  public static final class Value {
    private final String text;
    private final String origin;

    Value(String text, String origin) {
      this.text = text;
      this.origin = origin;
    }

    /** The raw text, trimmed. */
    public String text() {
      return text;
    }

    /** Where it came from, for messages. */
    public String origin() {
      return origin;
    }

    @Override
    public String toString() {
      return text + " (from " + origin + ")";
    }
  }

  /**
   * The value of {@code property}, or of {@code environmentVariable} in the environment layer,
   * from the layer of highest precedence that has either; null if none has.
   */
  public @Nullable Value find(String property, @Nullable String environmentVariable) {
    for (int i = layers.size() - 1; i >= 0; i--) {
      Layer l = layers.get(i);
      String key = l.environment ? environmentVariable : property;
      if (key == null) {
        continue;
      }
      String v = l.values.get(key);
      if (v != null && !v.isBlank()) {
        String origin = l.environment ? "environment variable " + key : l.origin;
        return new Value(v.trim(), origin);
      }
    }
    return null;
  }

  /** {@link #find(String, String)} for a setting with no environment variable. */
  public @Nullable Value find(String property) {
    return find(property, null);
  }

  /** The text of the setting, or {@code defaultValue}. */
  public String string(String property, @Nullable String environmentVariable,
      String defaultValue) {
    Value v = find(property, environmentVariable);
    return v == null ? defaultValue : v.text();
  }

  /** The setting as a duration ({@link ConfigValues#duration}), or {@code defaultValue}. */
  public java.time.Duration duration(String property, @Nullable String environmentVariable,
      java.time.Duration defaultValue) {
    Value v = find(property, environmentVariable);
    return v == null ? defaultValue : ConfigValues.duration(describe(property, v), v.text());
  }

  /** The setting as a size in bytes ({@link ConfigValues#size}), or {@code defaultValue}. */
  public long size(String property, @Nullable String environmentVariable, long defaultValue) {
    Value v = find(property, environmentVariable);
    return v == null ? defaultValue : ConfigValues.size(describe(property, v), v.text());
  }

  /** The setting as a whole number ({@link ConfigValues#integer}), or {@code defaultValue}. */
  public int integer(String property, @Nullable String environmentVariable, int defaultValue) {
    Value v = find(property, environmentVariable);
    return v == null ? defaultValue : ConfigValues.integer(describe(property, v), v.text());
  }

  /** The setting as a boolean ({@link ConfigValues#bool}), or {@code defaultValue}. */
  public boolean bool(String property, @Nullable String environmentVariable,
      boolean defaultValue) {
    Value v = find(property, environmentVariable);
    return v == null ? defaultValue : ConfigValues.bool(describe(property, v), v.text());
  }

  /** The setting as a list ({@link ConfigValues#list}), or an empty list. */
  public List<String> list(String property, @Nullable String environmentVariable) {
    Value v = find(property, environmentVariable);
    return v == null ? List.of() : ConfigValues.list(v.text());
  }

  /** {@code "agentbus.x (from environment variable AGENTBUS_X)"}: how errors name a setting. */
  public static String describe(String property, Value value) {
    return property + " (from " + value.origin() + ")";
  }

  /** Property keys set (non-blank) in any property layer, starting with {@code prefix}, sorted. */
  public Set<String> propertyNames(String prefix) {
    Set<String> out = new TreeSet<>();
    for (Layer l : layers) {
      if (!l.environment) {
        l.values.forEach((k, v) -> {
          if (k.startsWith(prefix) && !v.isBlank()) {
            out.add(k);
          }
        });
      }
    }
    return out;
  }

  /** Environment variables set (non-blank) starting with {@code prefix}, sorted. */
  public Set<String> environmentNames(String prefix) {
    Set<String> out = new TreeSet<>();
    for (Layer l : layers) {
      if (l.environment) {
        l.values.forEach((k, v) -> {
          if (k.startsWith(prefix) && !v.isBlank()) {
            out.add(k);
          }
        });
      }
    }
    return out;
  }

  /** These settings with {@code higher} on top: its layers win. */
  public Settings overriddenBy(Settings higher) {
    List<Layer> all = new ArrayList<>(layers);
    all.addAll(higher.layers);
    return new Settings(all);
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    for (Layer l : layers) {
      names.add(l.origin + "(" + l.values.size() + ")");
    }
    return "Settings" + names;
  }

  private static final class Layer {
    final String origin;
    final Map<String, String> values;
    final boolean environment;

    Layer(String origin, Map<String, String> values, boolean environment) {
      this.origin = origin;
      this.values = values;
      this.environment = environment;
    }
  }

  /** Adds layers, lowest precedence first. */
  public static final class Builder {
    private final List<Layer> layers = new ArrayList<>();

    private Builder() {}

    /** A layer of property-keyed values named {@code origin} ({@code "agentbus.properties"}). */
    public Builder properties(String origin, Map<String, String> values) {
      layers.add(new Layer(Objects.requireNonNull(origin, "origin"),
          Map.copyOf(new LinkedHashMap<>(values)), false));
      return this;
    }

    /** The environment layer: values keyed by environment variable. */
    public Builder environment(Map<String, String> variables) {
      layers.add(new Layer("the environment", Map.copyOf(variables), true));
      return this;
    }

    public Settings build() {
      return new Settings(layers);
    }
  }
}
