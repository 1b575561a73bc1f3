package io.agentbus.transport.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Headers;
import io.agentbus.InvalidSubjectException;
import io.agentbus.spi.TransportMessage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The subscription index on its own, with receivers the test controls. */
class RoutesTest {
  private static final TransportMessage MESSAGE =
      new TransportMessage("jobs", null, Headers.empty(), new byte[0]);

  /** A receiver that counts, and answers what the test tells it to. */
  private static final class Probe implements Receiver {
    final AtomicInteger offered = new AtomicInteger();
    volatile int answer = ACCEPTED;

    @Override
    public int offer(TransportMessage message) {
      offered.incrementAndGet();
      return answer;
    }
  }

  @Test
  void aStaleMatchSkipsAQueueMemberThatNoLongerTakesMessages() {
    Routes routes = new Routes();
    Probe leaving = new Probe();
    Probe staying = new Probe();
    routes.add("jobs", "w", leaving);
    routes.add("jobs", "w", staying);
    Routes.Match stale = routes.match("jobs");
    leaving.answer = Receiver.REJECTED; // it closed after the publisher looked up the match

    for (int i = 0; i < 100; i++) {
      assertThat(stale.deliver(MESSAGE)).isEqualTo(1);
    }
    assertThat(staying.offered).hasValue(100);
  }

  @Test
  void aDroppingMemberStillCountsAsAResponderAndIsNotSkipped() {
    Routes routes = new Routes();
    Probe full = new Probe();
    full.answer = Receiver.DROPPED;
    routes.add("jobs", "w", full);
    assertThat(routes.match("jobs").deliver(MESSAGE)).isEqualTo(1);
    assertThat(full.offered).hasValue(1);
  }

  @Test
  void membersOfOneQueueNameUnderDifferentPatternsFormOneGroup() {
    // as in the NATS server: the group is its name, across every matching pattern
    Routes routes = new Routes();
    Probe exact = new Probe();
    Probe star = new Probe();
    Probe tail = new Probe();
    Probe otherGroup = new Probe();
    routes.add("a.b", "g", exact);
    routes.add("a.*", "g", star);
    routes.add("a.>", "g", tail);
    routes.add("a.b", "h", otherGroup);
    for (int i = 0; i < 300; i++) {
      assertThat(routes.match("a.b").deliver(MESSAGE)).isEqualTo(2);
    }
    assertThat(exact.offered.get() + star.offered.get() + tail.offered.get()).isEqualTo(300);
    assertThat(exact.offered.get()).isPositive();
    assertThat(star.offered.get()).isPositive();
    assertThat(tail.offered.get()).isPositive();
    assertThat(otherGroup.offered).hasValue(300);
  }

  @Test
  void aChangeIsSeenByTheNextLookupDespiteTheCache() {
    Routes routes = new Routes();
    Probe p = new Probe();
    assertThat(routes.match("x.y").isEmpty()).isTrue(); // cached as "nobody"
    routes.add("x.*", null, p);
    assertThat(routes.match("x.y").deliver(MESSAGE)).isEqualTo(1);
    routes.remove("x.*", null, p);
    assertThat(routes.match("x.y").isEmpty()).isTrue();
    assertThat(routes.subscriptionCount()).isZero();
  }

  @Test
  void removingWhatWasNeverAddedChangesNothing() {
    Routes routes = new Routes();
    Probe p = new Probe();
    routes.add("a.b", null, p);
    routes.remove("a.b", "g", p);
    routes.remove("a.c", null, p);
    routes.remove("a.>", null, p);
    routes.remove("a.b", null, new Probe());
    assertThat(routes.subscriptionCount()).isEqualTo(1);
    assertThat(routes.match("a.b").deliver(MESSAGE)).isEqualTo(1);
  }

  @Test
  void invalidSubjectsAreRejectedEvenAfterValidOnesWereCached() {
    Routes routes = new Routes();
    routes.match("a.b");
    assertThatThrownBy(() -> routes.match("a.*")).isInstanceOf(InvalidSubjectException.class);
    assertThatThrownBy(() -> routes.match("a..b")).isInstanceOf(InvalidSubjectException.class);
  }

  @Test
  void internalReceiversAreNotCountedAsSubscriptions() {
    Routes routes = new Routes();
    Receiver inbox = new Receiver() {
      @Override
      public int offer(TransportMessage message) {
        return ACCEPTED;
      }

      @Override
      public boolean isInternal() {
        return true;
      }
    };
    routes.add("_INBOX.abc.*", null, inbox);
    assertThat(routes.subscriptionCount()).isZero();
    assertThat(routes.match("_INBOX.abc.1").deliver(MESSAGE)).isEqualTo(1);
    assertThat(routes.cachedSubjects()).as("reply subjects are not cached").isZero();
  }
}
