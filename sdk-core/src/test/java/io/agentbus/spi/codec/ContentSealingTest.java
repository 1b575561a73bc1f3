package io.agentbus.spi.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoders seal content as they build it, so that it is checked once and never walked again. */
class ContentSealingTest {

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aSealedTreeIsTakenAsItIsAndEqualsItsPlainForm(boolean viaBuilder) {
    Map<String, @Nullable Object> sealed = sampleSealed(viaBuilder);
    assertThat(Content.adopt(sealed)).isSameAs(sealed);
    assertThat(Content.copyOf(sealed)).isSameAs(sealed);

    Map<String, @Nullable Object> plain = new LinkedHashMap<>();
    plain.put("s", "text");
    plain.put("n", 7L);
    plain.put("list", List.of("a", "b"));
    plain.put("inner", Map.of("ok", true));
    plain.put("none", null);
    assertThat(sealed).isEqualTo(plain).hasSameHashCodeAs(plain);
    assertThat(sealed.toString()).isEqualTo(plain.toString());

    AgentMessage m = AgentMessage.builder().fromAgent("a").messageType(MessageType.HEARTBEAT)
        .adoptContent(sealed).build();
    assertThat(m.content()).isSameAs(sealed);
    assertThat(m).isEqualTo(AgentMessage.builder().fromAgent("a").messageType(
        MessageType.HEARTBEAT).timestamp(m.timestamp()).content(plain).build());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aSealedTreeCannotBeChangedAnywhere(boolean viaBuilder) {
    Map<String, @Nullable Object> sealed = sampleSealed(viaBuilder);
    assertThatThrownBy(() -> sealed.put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> sealed.remove("s")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(sealed::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> sealed.entrySet().iterator().next().setValue("y"))
        .isInstanceOf(UnsupportedOperationException.class);
    Iterator<String> keys = sealed.keySet().iterator();
    keys.next();
    assertThatThrownBy(keys::remove).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) sealed.get("list");
    assertThatThrownBy(() -> list.add("c")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> list.set(0, "c")).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> inner = (Map<String, Object>) sealed.get("inner");
    assertThatThrownBy(() -> inner.put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void onlyContentValuesAndSealedChildrenCanBeSealed() {
    Map<String, @Nullable Object> unsealedChild = new LinkedHashMap<>();
    unsealedChild.put("k", "v");
    for (Object bad : new Object[] {1, Double.NaN, Double.POSITIVE_INFINITY, unsealedChild,
        new ArrayList<>(List.of("a")), List.of("a"), new Object()}) {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      m.put("bad", bad);
      assertThatThrownBy(() -> Content.sealMap(m)).as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class);
      List<@Nullable Object> l = new ArrayList<>();
      l.add(bad);
      assertThatThrownBy(() -> Content.sealList(l)).as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map<String, @Nullable Object> rawKeys = (Map) new LinkedHashMap<>(Map.of(1, "one"));
    assertThatThrownBy(() -> Content.sealMap(rawKeys))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key must be a String");
    Map<String, @Nullable Object> nullKey = new LinkedHashMap<>();
    nullKey.put(null, "v");
    assertThatThrownBy(() -> Content.sealMap(nullKey))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was null");
    Map<String, @Nullable Object> empties = new LinkedHashMap<>();
    empties.put("m", Map.of());
    empties.put("l", List.of());
    assertThat(Content.sealMap(empties)).containsEntry("m", Map.of()).containsEntry("l", List.of());
  }

  @Test
  void nestingIsBoundedWhereverASealedTreeEndsUp() {
    Object deepest = "leaf";
    for (int level = Content.MAX_DEPTH; level >= 1; level--) {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      m.put("k", deepest);
      deepest = Content.sealMap(m);
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> maxDepth = (Map<String, @Nullable Object>) deepest;
    assertThat(Content.adopt(maxDepth)).isSameAs(maxDepth); // 64 levels: allowed

    Map<String, @Nullable Object> oneMore = new LinkedHashMap<>();
    oneMore.put("k", maxDepth);
    assertThatThrownBy(() -> Content.sealMap(oneMore))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deeper than 64");
    // under plain maps, adopted or copied, the sealed tree's height still counts
    assertThatThrownBy(() -> Content.adopt(oneMore))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("content.k");
    assertThatThrownBy(() -> Content.copyOf(Map.of("k", maxDepth)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deeper than 64");
    Map<String, @Nullable Object> plainAbove = new LinkedHashMap<>();
    plainAbove.put("k", maxDepth.get("k")); // 63 levels below a plain map: allowed
    assertThat(Content.adopt(plainAbove).get("k")).isSameAs(maxDepth.get("k"));
    assertThat(Content.copyOf(Map.of("k", maxDepth.get("k"))).get("k"))
        .isSameAs(maxDepth.get("k"));
  }

  @Test
  void aBuilderKeepsOrderRefusesRepeatedKeysAndReadsLikeALinkedHashMapAtEverySize() {
    for (int n = 0; n <= 3 * Content.MapBuilder.SMALL; n++) {
      Content.MapBuilder builder = new Content.MapBuilder();
      Map<String, @Nullable Object> plain = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String key = "key-" + (n - i); // not in sorted order, so order is the insertion order
        Object value = i % 3 == 0 ? null : i % 3 == 1 ? (Object) ("v" + i) : (Object) (long) i;
        assertThat(builder.put(key, value)).as("put %s of %s", i, n).isTrue();
        plain.put(key, value);
        assertThat(builder.put(key, "again")).as("repeat %s of %s", i, n).isFalse();
        assertThat(builder.put(new String("key-" + (n - i)), "again")).isFalse(); // equal key
        assertThat(builder.size()).isEqualTo(i + 1);
      }
      Map<String, @Nullable Object> sealed = builder.seal();
      assertThat(sealed).as("%s members", n).isEqualTo(plain).hasSameHashCodeAs(plain);
      assertThat(plain).isEqualTo(sealed);
      assertThat(sealed.toString()).isEqualTo(plain.toString());
      assertThat(new ArrayList<>(sealed.keySet())).isEqualTo(new ArrayList<>(plain.keySet()));
      assertThat(new ArrayList<>(sealed.values())).isEqualTo(new ArrayList<>(plain.values()));
      List<String> visited = new ArrayList<>();
      sealed.forEach((k, v) -> {
        assertThat(v).isEqualTo(plain.get(k));
        visited.add(k);
      });
      assertThat(visited).isEqualTo(new ArrayList<>(plain.keySet()));
      for (String key : plain.keySet()) {
        assertThat(sealed.containsKey(key)).isTrue();
        assertThat(sealed.get(new String(key))).isEqualTo(plain.get(key));
      }
      assertThat(sealed.containsKey("absent")).isFalse();
      assertThat(sealed.get("absent")).isNull();
      assertThat(sealed.containsKey(1L)).isFalse();
      assertThat(sealed.containsValue("v1")).isEqualTo(plain.containsValue("v1"));
      assertThat(Content.adopt(sealed)).isSameAs(sealed);
      assertThat(Content.copyOf(sealed)).isSameAs(sealed);
      assertThatThrownBy(() -> sealed.put("x", 1L))
          .isInstanceOf(UnsupportedOperationException.class);
      if (n > 0) { // (empty content is Map.of(), which rejects a null key as the JDK's maps do)
        assertThat(sealed.containsKey(null)).isFalse();
        assertThat(sealed.get(null)).isNull();
        Iterator<Map.Entry<String, @Nullable Object>> it = sealed.entrySet().iterator();
        assertThatThrownBy(() -> it.next().setValue("y"))
            .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(it::remove).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(sealed::clear).isInstanceOf(UnsupportedOperationException.class);
      }
      Iterator<Map.Entry<String, @Nullable Object>> end = sealed.entrySet().iterator();
      for (int i = 0; i < n; i++) {
        end.next();
      }
      assertThat(end.hasNext()).isFalse();
      assertThatThrownBy(end::next).isInstanceOf(NoSuchElementException.class);
    }
  }

  @Test
  void aBuilderChecksValuesAndNestingAsSealMapDoes() {
    Map<String, @Nullable Object> unsealedChild = new LinkedHashMap<>();
    unsealedChild.put("k", "v");
    for (Object bad : new Object[] {1, Double.NaN, unsealedChild, new Object()}) {
      for (int others : new int[] {0, Content.MapBuilder.SMALL}) {
        Content.MapBuilder b = new Content.MapBuilder();
        for (int i = 0; i < others; i++) {
          b.put("k" + i, "v");
        }
        b.put("bad", bad);
        assertThatThrownBy(b::seal).as("%s after %s", bad, others)
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
    Object deepest = "leaf";
    for (int level = Content.MAX_DEPTH; level >= 1; level--) {
      Content.MapBuilder b = new Content.MapBuilder();
      b.put("k", deepest);
      deepest = b.seal();
    }
    Content.MapBuilder oneMore = new Content.MapBuilder();
    oneMore.put("k", deepest);
    assertThatThrownBy(oneMore::seal)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deeper than 64");
    assertThat(new Content.MapBuilder().seal()).isSameAs(Map.of());
  }

  private static Map<String, @Nullable Object> sampleSealed(boolean viaBuilder) {
    if (viaBuilder) {
      List<@Nullable Object> list = new ArrayList<>();
      list.add("a");
      list.add("b");
      Content.MapBuilder inner = new Content.MapBuilder();
      inner.put("ok", true);
      Content.MapBuilder top = new Content.MapBuilder();
      top.put("s", "text");
      top.put("n", 7L);
      top.put("list", Content.sealList(list));
      top.put("inner", inner.seal());
      top.put("none", null);
      return top.seal();
    }
    List<@Nullable Object> list = new ArrayList<>();
    list.add("a");
    list.add("b");
    Map<String, @Nullable Object> inner = new LinkedHashMap<>();
    inner.put("ok", true);
    Map<String, @Nullable Object> top = new LinkedHashMap<>();
    top.put("s", "text");
    top.put("n", 7L);
    top.put("list", Content.sealList(list));
    top.put("inner", Content.sealMap(inner));
    top.put("none", null);
    return Content.sealMap(top);
  }
}
