package io.agentbus.codec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.spi.Codec;
import io.agentbus.test.CodecContract;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs {@link CodecContract} against deliberately broken codecs and checks that the right tests
 * fail: a contract that passes everything proves nothing.
 */
class CodecContractSelfTest {

  @Test
  void catchesIntegralDoublesTurnedIntoLongs() {
    assertThat(failingTests(IntegralDoublesBecomeLongs.class, "doublesStayDoublesWithTheSameBits",
        "integersStayExactLongsOverAll64Bits"))
        .containsExactly("doublesStayDoublesWithTheSameBits");
  }

  @Test
  void catchesNegativeZeroLosingItsSign() {
    assertThat(failingTests(NegativeZeroLosesItsSign.class, "doublesStayDoublesWithTheSameBits"))
        .containsExactly("doublesStayDoublesWithTheSameBits");
  }

  @Test
  void catchesUncheckedExceptionsOtherThanCodecException() {
    String[] badInputTests = {"emptyInputIsRejected", "randomBytesFailCleanly",
        "everyTruncationFailsCleanly", "mutatedEncodingsFailCleanlyOrDecodeConsistently",
        "aMissingFromAgentIsRejectedNamingTheField", "aMissingMessageTypeIsRejectedNamingTheField"};
    assertThat(failingTests(LeaksIllegalStateException.class, badInputTests))
        .containsExactlyInAnyOrder(badInputTests);
  }

  @Test
  void catchesACodecThatRefusesUnknownMessageTypes() {
    assertThat(failingTests(RefusesUnknownTypes.class,
        "aMessageTypeFromANewerPeerDecodesAsUnknownAndReencodesUnchanged",
        "everyKnownMessageTypeRoundTrips", "everySeedFixtureRoundTrips"))
        .containsExactly("aMessageTypeFromANewerPeerDecodesAsUnknownAndReencodesUnchanged");
  }

  @Test
  void catchesTimestampsCutToSeconds() {
    assertThat(failingTests(TimestampsAtSeconds.class,
        "timestampsKeepMillisecondPrecisionFromYear1To9999"))
        .containsExactly("timestampsKeepMillisecondPrecisionFromYear1To9999");
  }

  @Test
  void catchesTimestampsCutToMillisecondsAsBeforeTheyKeptMicroseconds() {
    assertThat(failingTests(TimestampsAtMilliseconds.class,
        "timestampsKeepMillisecondPrecisionFromYear1To9999",
        "timestampsKeepMicrosecondsAndNanoseconds"))
        .containsExactly("timestampsKeepMicrosecondsAndNanoseconds");
  }

  @Test
  void catchesContentKeysReordered() {
    assertThat(failingTests(SortsContentKeys.class, "nestedMapsAndListsRoundTripWithKeyOrder"))
        .containsExactly("nestedMapsAndListsRoundTripWithKeyOrder");
  }

  @Test
  void catchesADecoderThatAcceptsTruncatedInput() {
    assertThat(failingTests(AcceptsAnything.class, "everyTruncationFailsCleanly",
        "emptyInputIsRejected"))
        .containsExactlyInAnyOrder("everyTruncationFailsCleanly", "emptyInputIsRejected");
  }

  // ------------------------------------------------------------------ running the suite

  private static final Pattern METHOD = Pattern.compile("\\[(?:method|test-factory):(\\w+)\\(");

  /**
   * Runs the named test methods of the suite and returns the names of those that fail (or have a
   * failing dynamic test).
   */
  private static Set<String> failingTests(Class<? extends CodecContract> suite, String... methods) {
    Set<String> failed = new TreeSet<>();
    TestExecutionListener listener = new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (id.isTest() && result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
          Matcher m = METHOD.matcher(id.getUniqueId());
          synchronized (failed) {
            failed.add(m.find() ? m.group(1) : id.getUniqueId());
          }
        }
      }
    };
    List<DiscoverySelector> selectors = new ArrayList<>();
    for (String method : methods) {
      selectors.add(selectMethod(suite, method));
    }
    LauncherFactory.create().execute(
        LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(), listener);
    return failed;
  }

  // ------------------------------------------------------------------ broken codecs

  /** Delegates to the real codec; subclasses break one thing. */
  abstract static class BrokenJsonContract extends CodecContract {
    final JsonCodec json = JsonCodec.create();

    @Override
    protected Codec codec() {
      return new Codec() {
        @Override
        public String contentType() {
          return json.contentType();
        }

        @Override
        public byte[] encode(AgentMessage message) {
          return json.encode(message);
        }

        @Override
        public AgentMessage decode(byte[] bytes) {
          return brokenDecode(bytes);
        }
      };
    }

    abstract AgentMessage brokenDecode(byte[] bytes);

    @Override
    protected byte[] encodingWithout(AgentMessage message, String field) {
      return new JsonCodecContractTest().encodingWithout(message, field);
    }

    AgentMessage withContent(AgentMessage m, java.util.function.UnaryOperator<@Nullable Object> f) {
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> content = (Map<String, @Nullable Object>) f.apply(m.content());
      return m.toBuilder().content(content).build();
    }

    static @Nullable Object mapValues(@Nullable Object v,
        java.util.function.UnaryOperator<@Nullable Object> leaf) {
      if (v instanceof Map) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        ((Map<?, ?>) v).forEach((k, x) -> out.put((String) k, mapValues(x, leaf)));
        return out;
      }
      if (v instanceof List) {
        List<@Nullable Object> out = new ArrayList<>();
        ((List<?>) v).forEach(x -> out.add(mapValues(x, leaf)));
        return out;
      }
      return leaf.apply(v);
    }
  }

  static final class IntegralDoublesBecomeLongs extends BrokenJsonContract {
    @Override
    AgentMessage brokenDecode(byte[] bytes) {
      return withContent(json.decode(bytes), c -> mapValues(c, v ->
          v instanceof Double && (Double) v == Math.rint((Double) v) && Math.abs((Double) v) < 1e18
              ? (Object) (long) (double) (Double) v : v));
    }
  }

  static final class NegativeZeroLosesItsSign extends BrokenJsonContract {
    @Override
    AgentMessage brokenDecode(byte[] bytes) {
      return withContent(json.decode(bytes), c -> mapValues(c, v ->
          v instanceof Double && (Double) v == 0.0 ? (Object) 0.0 : v));
    }
  }

  static final class LeaksIllegalStateException extends BrokenJsonContract {
    @Override
    AgentMessage brokenDecode(byte[] bytes) {
      try {
        return json.decode(bytes);
      } catch (CodecException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
  }

  static final class RefusesUnknownTypes extends BrokenJsonContract {
    @Override
    AgentMessage brokenDecode(byte[] bytes) {
      AgentMessage m = json.decode(bytes);
      if (!m.messageType().isKnown()) {
        throw new CodecException("unknown message type " + m.messageType());
      }
      return m;
    }
  }

  static final class TimestampsAtSeconds extends BrokenJsonContract {
    @Override
    AgentMessage brokenDecode(byte[] bytes) {
      AgentMessage m = json.decode(bytes);
      return m.toBuilder().timestamp(m.timestamp().truncatedTo(ChronoUnit.SECONDS)).build();
    }
  }

  static final class TimestampsAtMilliseconds extends BrokenJsonContract {
    @Override
    AgentMessage brokenDecode(byte[] bytes) {
      AgentMessage m = json.decode(bytes);
      return m.toBuilder().timestamp(m.timestamp().truncatedTo(ChronoUnit.MILLIS)).build();
    }
  }

  static final class SortsContentKeys extends BrokenJsonContract {
    @Override
    AgentMessage brokenDecode(byte[] bytes) {
      return withContent(json.decode(bytes), c -> sorted(c));
    }

    private static @Nullable Object sorted(@Nullable Object v) {
      if (v instanceof Map) {
        Map<String, @Nullable Object> out = new TreeMap<>();
        ((Map<?, ?>) v).forEach((k, x) -> out.put((String) k, sorted(x)));
        return out;
      }
      return v;
    }
  }

  /** Returns a fixed message for input it cannot read, as a "lenient" decoder might. */
  static final class AcceptsAnything extends BrokenJsonContract {
    @Override
    AgentMessage brokenDecode(byte[] bytes) {
      try {
        return json.decode(bytes);
      } catch (CodecException e) {
        return message().build();
      }
    }
  }
}
