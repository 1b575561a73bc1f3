package io.agentbus.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Deep, validating, unmodifiable copies of message content trees. Not part of the API.
 *
 * <p>Allowed: {@code Map} with {@code String} keys, {@code List}, {@code String}, {@code Boolean},
 * {@code Long}, finite {@code Double}, null. {@code Integer}, {@code Short}, {@code Byte} and
 * 64-bit {@code BigInteger}s become {@code Long}; {@code Float} becomes {@code Double}.
 */
public final class Content {
  /** Deepest nesting accepted anywhere: codecs enforce the same bound on decode. */
  public static final int MAX_DEPTH = 64;

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private Content() {}

  public static Map<String, @Nullable Object> copyOf(Map<?, ?> content) {
    if (isFrozen(content, 1)) {
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> frozen = (Map<String, @Nullable Object>) content;
      return frozen; // nobody can change it: sharing it is as good as a copy
    }
    return copyMap(content, new Path(null, "content"), 1);
  }

  /** The classes of the JDK's unmodifiable collections ({@code Map.of}, {@code List.of}, ...). */
  private static final Set<Class<?>> JDK_FROZEN = Set.copyOf(List.of( // copyOf: they repeat
      Map.of().getClass(), Map.of("k", "v").getClass(), Map.of("k", "v", "l", "w").getClass(),
      List.of().getClass(), List.of("a").getClass(), List.of("a", "b", "c").getClass()));

  /**
   * True if {@code v} is already content as {@link #copyOf} would make it, and can never change:
   * a value that needs no conversion, or a JDK unmodifiable map (String keys) or list of such
   * values. Allocates nothing; anything else takes the copying path and its error messages.
   */
  private static boolean isFrozen(@Nullable Object v, int depth) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
      return true;
    }
    if (v instanceof Double) {
      return Double.isFinite((Double) v);
    }
    if (depth > MAX_DEPTH || !JDK_FROZEN.contains(v.getClass())) {
      return false;
    }
    if (v instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!(e.getKey() instanceof String) || !isFrozen(e.getValue(), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    for (Object element : (List<?>) v) {
      if (!isFrozen(element, depth + 1)) {
        return false;
      }
    }
    return true;
  }

  /** Where a value sits in the tree; rendered only for error messages, so the happy path is cheap. */
  private static final class Path {
    private final @Nullable Path parent;
    private final Object step;

    Path(@Nullable Path parent, Object step) {
      this.parent = parent;
      this.step = step;
    }

    @Override
    public String toString() {
      if (parent == null) {
        return step.toString();
      }
      return parent + (step instanceof Integer ? "[" + step + "]" : "." + step);
    }
  }

  /**
   * Takes ownership of a freshly built tree instead of copying it: validates and normalises it in
   * place (the maps must support {@code Map.Entry.setValue} and the lists {@code ListIterator.set}
   * wherever a value changes) and wraps every map and list unmodifiably. The caller must hold no
   * other reference to any part of the tree. Codecs decode into trees they alone own, so this
   * saves the second copy on every received message.
   */
  public static Map<String, @Nullable Object> adopt(Map<String, @Nullable Object> content) {
    return adoptMap(content, new Path(null, "content"), 1);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, @Nullable Object> adoptMap(Map<?, ?> map, Path path, int depth) {
    checkDepth(path, depth);
    if (map.isEmpty()) {
      return Map.of();
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object key = e.getKey();
      if (!(key instanceof String)) {
        throw new IllegalArgumentException("Content key at " + path + " must be a String, was "
            + (key == null ? "null" : key.getClass().getName()));
      }
      Object v = e.getValue();
      Object adopted = adoptValue(v, path, key, depth);
      if (adopted != v) {
        ((Map.Entry<Object, @Nullable Object>) e).setValue(adopted);
      }
    }
    return Collections.unmodifiableMap((Map<String, @Nullable Object>) map);
  }

  @SuppressWarnings("unchecked")
  private static List<@Nullable Object> adoptList(List<?> list, Path path, int depth) {
    checkDepth(path, depth);
    if (list.isEmpty()) {
      return List.of();
    }
    java.util.ListIterator<@Nullable Object> it =
        ((List<@Nullable Object>) list).listIterator();
    int i = 0;
    while (it.hasNext()) {
      Object v = it.next();
      Object adopted = adoptValue(v, path, i, depth);
      if (adopted != v) {
        it.set(adopted);
      }
      i++;
    }
    return Collections.unmodifiableList((List<@Nullable Object>) list);
  }

  private static @Nullable Object adoptValue(@Nullable Object v, Path parent, Object step,
      int depth) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
      return v; // the common case allocates nothing, not even a path
    }
    if (v instanceof Map) {
      return adoptMap((Map<?, ?>) v, new Path(parent, step), depth + 1);
    }
    if (v instanceof List) {
      return adoptList((List<?>) v, new Path(parent, step), depth + 1);
    }
    return copyValue(v, parent, step, depth);
  }

  private static Map<String, @Nullable Object> copyMap(Map<?, ?> map, Path path, int depth) {
    checkDepth(path, depth);
    if (map.isEmpty()) {
      return Map.of();
    }
    Map<String, @Nullable Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 4 / 3 + 1));
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object key = e.getKey();
      if (!(key instanceof String)) {
        throw new IllegalArgumentException("Content key at " + path + " must be a String, was "
            + (key == null ? "null" : key.getClass().getName()));
      }
      copy.put((String) key, copyValue(e.getValue(), path, key, depth));
    }
    return Collections.unmodifiableMap(copy);
  }

  private static List<@Nullable Object> copyList(List<?> list, Path path, int depth) {
    checkDepth(path, depth);
    if (list.isEmpty()) {
      return List.of();
    }
    List<@Nullable Object> copy = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      copy.add(copyValue(list.get(i), path, i, depth));
    }
    return Collections.unmodifiableList(copy);
  }

  private static @Nullable Object copyValue(@Nullable Object v, Path parent, Object step,
      int depth) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
      return v; // the common case allocates nothing, not even a path
    }
    Path path = new Path(parent, step);
    if (v instanceof Double) {
      double d = (Double) v;
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("Content value at " + path + " is " + d
            + ": JSON cannot carry NaN or infinities");
      }
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float) {
      return copyValue(((Float) v).doubleValue(), parent, step, depth);
    }
    if (v instanceof BigInteger) {
      BigInteger b = (BigInteger) v;
      if (b.compareTo(LONG_MIN) < 0 || b.compareTo(LONG_MAX) > 0) {
        throw new IllegalArgumentException("Content value at " + path + " (" + b
            + ") does not fit in 64 bits");
      }
      return b.longValue();
    }
    if (v instanceof Map) {
      return copyMap((Map<?, ?>) v, path, depth + 1);
    }
    if (v instanceof List) {
      return copyList((List<?>) v, path, depth + 1);
    }
    throw new IllegalArgumentException("Content value at " + path + " has unsupported type "
        + v.getClass().getName() + " (allowed: Map, List, String, Boolean, Long, Double, null)");
  }

  private static void checkDepth(Path path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("Content nested deeper than " + MAX_DEPTH
          + " levels at " + path);
    }
  }
}
