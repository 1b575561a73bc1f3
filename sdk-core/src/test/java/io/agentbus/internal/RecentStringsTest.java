package io.agentbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
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
  void eachThreadHasItsOwnTable() throws Exception {
    RecentStrings.Table mine = RecentStrings.table();
    assertThat(RecentStrings.table()).isSameAs(mine);
    RecentStrings.Table other =
        CompletableFuture.supplyAsync(RecentStrings::table).get(10, TimeUnit.SECONDS);
    assertThat(other).isNotSameAs(mine);
  }
}
