package io.agentbus.spi.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentStringsTest {

  @Test
  void aStringSeenBeforeIsReusedAndEveryStringReadsAsItsBytes() {
    RecentStrings.Table table = RecentStrings.table();
    byte[] bytes = "xx status_update yy".getBytes(StandardCharsets.US_ASCII);
    String first = RecentStrings.ascii(table, bytes, 3, 13);
    assertThat(first).isEqualTo("status_update");
    assertThat(RecentStrings.ascii(table, bytes, 3, 13)).isSameAs(first);
    assertThat(RecentStrings.ascii(table, "status_update".getBytes(StandardCharsets.US_ASCII), 0,
        13)).isSameAs(first);
    assertThat(RecentStrings.ascii(table, bytes, 3, 6)).isEqualTo("status");
    assertThat(RecentStrings.ascii(table, bytes, 0, 0)).isEmpty();

    // many more strings than slots: each one is still exactly its bytes, whatever it evicted
    Random random = new Random(7);
    Set<String> distinct = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      int length = random.nextInt(RecentStrings.MAX_LENGTH + 8);
      byte[] b = new byte[length + 2];
      for (int k = 0; k < b.length; k++) {
        b[k] = (byte) ('a' + random.nextInt(i % 3 == 0 ? 2 : 26)); // many near-collisions
      }
      String expected = new String(b, 1, length, StandardCharsets.US_ASCII);
      assertThat(RecentStrings.ascii(table, b, 1, length)).isEqualTo(expected);
      distinct.add(expected);
    }
    assertThat(distinct.size()).isGreaterThan(10_000);
  }

  @Test
  void stringsAlikeInLengthAndFirstMiddleAndLastBytesAreBothKept() {
    RecentStrings.Table table = RecentStrings.table();
    byte[] content = "content".getBytes(StandardCharsets.US_ASCII);
    byte[] context = "context".getBytes(StandardCharsets.US_ASCII);
    String a = RecentStrings.ascii(table, content, 0, 7);
    String b = RecentStrings.ascii(table, context, 0, 7);
    assertThat(RecentStrings.ascii(table, content, 0, 7)).isSameAs(a);
    assertThat(RecentStrings.ascii(table, context, 0, 7)).isSameAs(b);
  }

  @Test
  void twoStringsOfOneSetAreBothKeptAndAThirdEvictsTheLeastRecentlyAdded() {
    RecentStrings.Table table = RecentStrings.table();
    // three distinct strings of one set, found by search
    List<byte[]> same = new ArrayList<>();
    int wanted = RecentStrings.set("agent-0".getBytes(StandardCharsets.US_ASCII), 0, 7);
    for (int i = 0; same.size() < 3; i++) {
      byte[] b = ("agent-" + i).getBytes(StandardCharsets.US_ASCII);
      if (RecentStrings.set(b, 0, b.length) == wanted) {
        same.add(b);
      }
    }
    String x = RecentStrings.ascii(table, same.get(0), 0, same.get(0).length);
    String y = RecentStrings.ascii(table, same.get(1), 0, same.get(1).length);
    assertThat(RecentStrings.ascii(table, same.get(0), 0, same.get(0).length)).isSameAs(x);
    assertThat(RecentStrings.ascii(table, same.get(1), 0, same.get(1).length)).isSameAs(y);
    String z = RecentStrings.ascii(table, same.get(2), 0, same.get(2).length);
    assertThat(RecentStrings.ascii(table, same.get(2), 0, same.get(2).length)).isSameAs(z);
    assertThat(RecentStrings.ascii(table, same.get(1), 0, same.get(1).length)).isSameAs(y);
    assertThat(RecentStrings.ascii(table, same.get(0), 0, same.get(0).length))
        .as("the oldest of the three was evicted").isNotSameAs(x).isEqualTo(x);
  }

  @Test
  void setsSpreadShortAsciiStringsEvenly() {
    int[] counts = new int[RecentStrings.SETS];
    int n = 64 * RecentStrings.SETS;
    for (int i = 0; i < n; i++) {
      byte[] b = ("k" + i).getBytes(StandardCharsets.US_ASCII);
      counts[RecentStrings.set(b, 0, b.length)]++;
    }
    // 64 expected per set; a poor hash leaves sets empty and others crowded
    assertThat(Arrays.stream(counts).min().orElseThrow()).isGreaterThan(32);
    assertThat(Arrays.stream(counts).max().orElseThrow()).isLessThan(110);
  }

  @Test
  void eachThreadHasItsOwnTable() throws Exception {
    RecentStrings.Table mine = RecentStrings.table();
    assertThat(RecentStrings.table()).isSameAs(mine);
    RecentStrings.Table other =
        CompletableFuture.supplyAsync(RecentStrings::table).get(10, TimeUnit.SECONDS);
    assertThat(other).isNotSameAs(mine);
  }
}
