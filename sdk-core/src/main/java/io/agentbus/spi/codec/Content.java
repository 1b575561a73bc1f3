package io.agentbus.spi.codec;

import java.math.BigInteger;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import java.util.Set;
import java.util.function.BiConsumer;
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
    int sealedHeight = heightIfSealed(v);
    if (sealedHeight > 0) {
      return depth - 1 + sealedHeight <= MAX_DEPTH;
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
    if (content instanceof SealedMap) {
      return content; // checked, level by level, as it was built
    }
    return adoptMap(content, new Path(null, "content"), 1);
  }

  // ------------------------------------------------------------------ sealed trees

  /**
   * Seals a map a codec has just filled, for decoders that build content bottom-up: checks its
   * values (allowed scalars, or maps and lists sealed before it) and returns it as an unmodifiable
   * map that {@link #adopt} and {@link #copyOf} take without walking it again. So a decoded tree is
   * checked once, as it is built, instead of once more afterwards.
   *
   * <p>The caller must hold no other reference to {@code fresh}.
   *
   * @throws IllegalArgumentException if a key is not a String or a value is not content, or the
   *     tree would be nested deeper than {@link #MAX_DEPTH}
   */
  public static Map<String, @Nullable Object> sealMap(Map<String, @Nullable Object> fresh) {
    if (fresh.isEmpty()) {
      return Map.of();
    }
    int height = 1;
    for (Map.Entry<?, ?> e : fresh.entrySet()) {
      if (!(e.getKey() instanceof String)) { // only a raw-typed caller can get here
        throw new IllegalArgumentException("Content key must be a String, was "
            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
      }
      height = Math.max(height, 1 + sealedHeightOf(e.getValue()));
    }
    return new WrappedSealedMap(fresh, checkHeight(height));
  }

  /** Seals a list a codec has just filled, as {@link #sealMap} seals a map. */
  public static List<@Nullable Object> sealList(List<@Nullable Object> fresh) {
    if (fresh.isEmpty()) {
      return List.of();
    }
    int height = 1;
    for (int i = 0, n = fresh.size(); i < n; i++) {
      height = Math.max(height, 1 + sealedHeightOf(fresh.get(i)));
    }
    return new SealedList(fresh, checkHeight(height));
  }

  /** 0 for a scalar, the height of a sealed (or empty) map or list; anything else is an error. */
  private static int sealedHeightOf(@Nullable Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
      return 0;
    }
    if (v instanceof Double) {
      if (!Double.isFinite((Double) v)) {
        throw new IllegalArgumentException("Content value " + v + ": JSON cannot carry NaN or"
            + " infinities");
      }
      return 0;
    }
    int height = heightIfSealed(v);
    if (height > 0) {
      return height;
    }
    if ((v instanceof Map && ((Map<?, ?>) v).isEmpty() && JDK_FROZEN.contains(v.getClass()))
        || (v instanceof List && ((List<?>) v).isEmpty() && JDK_FROZEN.contains(v.getClass()))) {
      return 1;
    }
    throw new IllegalArgumentException("Content value of type " + v.getClass().getName()
        + " cannot be sealed: a map or list must be sealed before the one holding it");
  }

  private static int checkHeight(int height) {
    if (height > MAX_DEPTH) {
      throw new IllegalArgumentException("Content nested deeper than " + MAX_DEPTH + " levels");
    }
    return height;
  }

  /** The height of a sealed map or list (1 when it holds no map or list), else 0. */
  private static int heightIfSealed(Object v) {
    if (v instanceof SealedMap) {
      return ((SealedMap) v).height;
    }
    if (v instanceof SealedList) {
      return ((SealedList) v).height;
    }
    return 0;
  }

  /**
   * Builds one content object for a decoder, member by member, and seals it as {@link #sealMap}
   * would. Most content objects have a handful of members; up to {@value #SMALL} of them are kept
   * in one array, in order, and the sealed map reads them by a linear search, which for so few
   * short keys is as fast as hashing and allocates a fraction of a {@code LinkedHashMap}. A larger
   * object moves into a {@code LinkedHashMap} as it grows.
   *
   * <p>Not thread-safe; one builder per object being decoded.
   */
  public static final class MapBuilder {
    static final int SMALL = 8;

    private @Nullable Object[] members = new Object[4]; // key, value, key, value...
    private int size;
    private @Nullable LinkedHashMap<String, @Nullable Object> large;

    /** Adds a member, unless {@code key} is there already: then it changes nothing and is false. */
    public boolean put(String key, @Nullable Object value) {
      LinkedHashMap<String, @Nullable Object> map = large;
      if (map != null) {
        if (map.containsKey(key)) {
          return false;
        }
        map.put(key, value);
        return true;
      }
      @Nullable Object[] m = members;
      int end = 2 * size;
      for (int i = 0; i < end; i += 2) {
        if (key.equals(m[i])) {
          return false;
        }
      }
      if (size == SMALL) {
        map = new LinkedHashMap<>(4 * SMALL);
        for (int i = 0; i < end; i += 2) {
          map.put((String) m[i], m[i + 1]);
        }
        map.put(key, value);
        large = map;
        members = m = new Object[0];
        size = 0;
        return true;
      }
      if (end == m.length) {
        members = m = Arrays.copyOf(m, 2 * end);
      }
      m[end] = key;
      m[end + 1] = value;
      size++;
      return true;
    }

    /** Members added so far. */
    public int size() {
      LinkedHashMap<String, @Nullable Object> map = large;
      return map != null ? map.size() : size;
    }

    /**
     * The sealed map; the builder must not be used afterwards.
     *
     * @throws IllegalArgumentException as {@link #sealMap} does
     */
    public Map<String, @Nullable Object> seal() {
      LinkedHashMap<String, @Nullable Object> map = large;
      if (map != null) {
        return sealMap(map);
      }
      if (size == 0) {
        return Map.of();
      }
      int height = 1;
      for (int i = 1; i < 2 * size; i += 2) {
        height = Math.max(height, 1 + sealedHeightOf(members[i]));
      }
      return new SmallSealedMap(members, size, checkHeight(height));
    }
  }

  /** A map checked as it was sealed, unmodifiable; {@link #adopt} and {@link #copyOf} share it. */
  private abstract static class SealedMap extends AbstractMap<String, @Nullable Object> {
    final int height;

    SealedMap(int height) {
      this.height = height;
    }
  }

  /** A map {@link #sealMap} checked; made nowhere else. */
  private static final class WrappedSealedMap extends SealedMap {
    private final Map<String, @Nullable Object> map;

    WrappedSealedMap(Map<String, @Nullable Object> fresh, int height) {
      super(height);
      this.map = Collections.unmodifiableMap(fresh);
    }

    @Override
    public Set<Map.Entry<String, @Nullable Object>> entrySet() {
      return map.entrySet();
    }

    @Override
    public @Nullable Object get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public int size() {
      return map.size();
    }
  }

  /** A map a {@link MapBuilder} sealed: at most {@value MapBuilder#SMALL} members in one array. */
  private static final class SmallSealedMap extends SealedMap {
    private final @Nullable Object[] members; // key, value, key, value...; may have spare room
    private final int size;

    SmallSealedMap(@Nullable Object[] members, int size, int height) {
      super(height);
      this.members = members;
      this.size = size;
    }

    private int indexOf(@Nullable Object key) {
      if (key instanceof String) {
        for (int i = 0; i < 2 * size; i += 2) {
          if (key.equals(members[i])) {
            return i;
          }
        }
      }
      return -1;
    }

    @Override
    public @Nullable Object get(Object key) {
      int i = indexOf(key);
      return i < 0 ? null : members[i + 1];
    }

    @Override
    public boolean containsKey(Object key) {
      return indexOf(key) >= 0;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
      for (int i = 0; i < 2 * size; i += 2) {
        action.accept((String) members[i], members[i + 1]);
      }
    }

    @Override
    public Set<Map.Entry<String, @Nullable Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<String, @Nullable Object>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < 2 * size;
            }

            @Override
            public Map.Entry<String, @Nullable Object> next() {
              if (next >= 2 * size) {
                throw new NoSuchElementException();
              }
              int i = next;
              next += 2;
              return new AbstractMap.SimpleImmutableEntry<>((String) members[i], members[i + 1]);
            }
          };
        }

        @Override
        public int size() {
          return size;
        }
      };
    }
  }

  /** A list {@link #sealList} checked, unmodifiable; made nowhere else. */
  private static final class SealedList extends AbstractList<@Nullable Object>
      implements RandomAccess {
    private final List<@Nullable Object> list;
    final int height;

    SealedList(List<@Nullable Object> fresh, int height) {
      this.list = fresh;
      this.height = height;
    }

    @Override
    public @Nullable Object get(int index) {
      return list.get(index);
    }

    @Override
    public int size() {
      return list.size();
    }
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
    if (heightIfSealed(v) > 0) {
      return shareSealed(v, parent, step, depth);
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
    if (heightIfSealed(v) > 0) {
      return shareSealed(v, parent, step, depth);
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

  /** A sealed map or list inside a tree being adopted or copied: valid, so shared if not too deep. */
  private static Object shareSealed(Object sealed, Path parent, Object step, int depth) {
    if (depth + heightIfSealed(sealed) > MAX_DEPTH) {
      throw new IllegalArgumentException("Content nested deeper than " + MAX_DEPTH
          + " levels at " + new Path(parent, step));
    }
    return sealed;
  }

  private static void checkDepth(Path path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("Content nested deeper than " + MAX_DEPTH
          + " levels at " + path);
    }
  }
}
