package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Agents with different codecs on one bus: a JSON agent, an agent whose primary codec is another
 * one (Protobuf), and a raw publisher that sends the seed's JSON exactly as its Python agents do
 * (no headers at all). Each understands the others, and a request is answered in the codec it was
 * made in.
 *
 * <p>Extend it with a transport factory and the two codecs; it runs on any transport (in memory,
 * NATS). Every agent gets its own transport from {@link #newTransport()}, as separate processes
 * would, all connected to the same server:
 *
 * <pre>{@code
 * class InMemoryCodecNegotiationTest extends CodecNegotiationContract {
 *   private final InMemoryServer server = InMemoryServer.create();
 *   protected Transport newTransport() { return InMemoryTransport.connectTo(server); }
 *   protected Codec jsonCodec() { return JsonCodec.create(); }
 *   protected Codec otherCodec() { return ProtobufCodec.create(); }
 * }
 * }</pre>
 *
 * <p>The agents are the seed's: {@code architect-001} publishes JSON, {@code parser-dev-001} the
 * other codec. Each registers the other's codec as an additional one. The other codec must
 * {@linkplain Codec#recognizes recognize} its own payloads, as Protobuf does, so that its messages
 * travel without a header; the suite also wraps it as a codec that does not, which must be named.
 */
public abstract class CodecNegotiationContract {
  /** A guard against hangs, not a performance bound. */
  protected static final Duration WAIT = Duration.ofSeconds(10);

  private static final String JSON_AGENT = "architect-001";
  private static final String OTHER_AGENT = "parser-dev-001";

  private final List<MessageBus> buses = Collections.synchronizedList(new ArrayList<>());
  private final List<Transport> rawTransports = Collections.synchronizedList(new ArrayList<>());

  private MessageBus jsonAgent;
  private MessageBus otherAgent;
  private Transport pythonAgent;

  /** A new transport connected to the same server as the others in this test. */
  protected abstract Transport newTransport();

  /** The JSON codec: {@code application/json}, the seed's format. */
  protected abstract Codec jsonCodec();

  /** The codec the second agent publishes with, e.g. Protobuf. */
  protected abstract Codec otherCodec();

  @BeforeEach
  void startAgents() {
    assertThat(jsonCodec().contentType()).isEqualTo(MessageBus.DEFAULT_CONTENT_TYPE);
    assertThat(otherCodec().contentType()).isNotEqualTo(jsonCodec().contentType());
    jsonAgent = bus(MessageBus.builder().codec(jsonCodec()).additionalCodecs(otherCodec()));
    otherAgent = bus(MessageBus.builder().codec(otherCodec()).additionalCodecs(jsonCodec()));
    pythonAgent = rawTransport();
  }

  @AfterEach
  void stopAgents() {
    synchronized (buses) {
      buses.forEach(MessageBus::close);
      buses.clear();
    }
    synchronized (rawTransports) {
      rawTransports.forEach(Transport::close);
      rawTransports.clear();
    }
  }

  private MessageBus bus(MessageBus.Builder builder) {
    MessageBus bus = builder.transport(newTransport()).build();
    buses.add(bus);
    return bus;
  }

  private Transport rawTransport() {
    Transport t = newTransport();
    rawTransports.add(t);
    return t;
  }

  /** Makes subscriptions made so far effective everywhere (a NATS flush round trip). */
  private void settle() {
    synchronized (buses) {
      buses.forEach(b -> b.flush(WAIT));
    }
    synchronized (rawTransports) {
      rawTransports.forEach(t -> t.flush(WAIT));
    }
  }

  // ------------------------------------------------------------------ one-way messages

  @Test
  public void theJsonAndTheOtherAgentReadEachOthersMessagesExactly() throws Exception {
    BlockingQueue<Delivery> toJson = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> toOther = new LinkedBlockingQueue<>();
    jsonAgent.subscribeToAgentMessages(JSON_AGENT, toJson::add);
    otherAgent.subscribeToAgentMessages(OTHER_AGENT, toOther::add);
    settle();
    Map<String, @Nullable Object> content = awkwardContent();

    otherAgent.endpoint(OTHER_AGENT).send(JSON_AGENT, MessageType.QUESTION, content);
    jsonAgent.endpoint(JSON_AGENT).send(OTHER_AGENT, MessageType.ANSWER, content);

    Delivery atJson = take(toJson);
    assertThat(atJson.headers().first(Headers.CONTENT_TYPE))
        .isEqualTo(headerFor(otherCodec(), otherCodec().encode(atJson.message())));
    assertThat(atJson.codec().contentType()).isEqualTo(otherCodec().contentType());
    assertThat(atJson.message().fromAgent()).isEqualTo(OTHER_AGENT);
    assertThat(atJson.message().content()).isEqualTo(content);
    assertThat(atJson.message().content().get("big")).isInstanceOf(Long.class);
    assertThat(atJson.message().content().get("two")).isInstanceOf(Double.class);

    Delivery atOther = take(toOther);
    assertThat(atOther.headers().first(Headers.CONTENT_TYPE))
        .isEqualTo(headerFor(jsonCodec(), jsonCodec().encode(atOther.message())));
    assertThat(atOther.codec().contentType()).isEqualTo(jsonCodec().contentType());
    assertThat(atOther.message().content()).isEqualTo(content);
    assertThat(atOther.message().content().get("two")).isInstanceOf(Double.class);
  }

  @Test
  public void theOtherCodecsMessagesTravelWithoutAHeaderAndAreRecognized() throws Exception {
    BlockingQueue<Delivery> atJson = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> atOther = new LinkedBlockingQueue<>();
    jsonAgent.subscribeToAgentMessages(JSON_AGENT, atJson::add);
    otherAgent.subscribeToAgentMessages(OTHER_AGENT, atOther::add);
    settle();
    SeedFixtures.Fixture question = SeedFixtures.named("question-direct"); // to OTHER_AGENT
    byte[] payload = otherCodec().encode(question.expected());
    assertThat(otherCodec().recognizes(payload))
        .as("this suite's other codec recognizes its own payloads, as Protobuf does").isTrue();

    otherAgent.endpoint(OTHER_AGENT).send(JSON_AGENT, MessageType.ANSWER, awkwardContent());
    // a peer that sends no headers at all, as a Python agent speaking the other codec would
    pythonAgent.publish(question.subject(), null, Headers.empty(), payload);

    Delivery atJsonAgent = take(atJson);
    assertThat(atJsonAgent.headers().isEmpty()).isTrue();
    assertThat(atJsonAgent.codec().contentType()).isEqualTo(otherCodec().contentType());
    assertThat(atJsonAgent.message().content()).isEqualTo(awkwardContent());
    Delivery atOtherAgent = take(atOther);
    assertThat(atOtherAgent.codec().contentType()).isEqualTo(otherCodec().contentType());
    assertThat(atOtherAgent.message()).isEqualTo(question.expected());
    assertThat(jsonAgent.stats().decodeFailures()).isZero();
    assertThat(otherAgent.stats().decodeFailures()).isZero();
  }

  @Test
  public void aHeaderlessBinaryPayloadNoCodecRecognizesIsDeadLetteredSayingSo() throws Exception {
    BlockingQueue<TransportMessage> deadLetters = new LinkedBlockingQueue<>();
    Transport watcher = rawTransport();
    watcher.subscribe(jsonAgent.subjects().deadLetter(), null, deadLetters::add);
    BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
    jsonAgent.subscribeToAgentMessages(JSON_AGENT, delivered::add);
    settle();
    byte[] binary = {0x0a, 0x03, 'a', 'b', 'c', 0x22, 0x00}; // from_agent, then no message_type

    pythonAgent.publish(jsonAgent.subjects().direct(JSON_AGENT, MessageType.QUESTION), null,
        Headers.empty(), binary);

    TransportMessage letter = deadLetters.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(letter).as("a dead letter within %s", WAIT).isNotNull();
    assertThat(letter.payload()).isEqualTo(binary);
    assertThat(letter.headers().first(Headers.ERROR))
        .contains("without a Content-Type header", "binary", "byte 1 is 0x03",
            otherCodec().contentType())
        .doesNotContain("register ProtobufCodec"); // it has one, and this is not its payload
    assertThat(jsonAgent.stats().decodeFailures()).isEqualTo(1);
    assertThat(delivered).isEmpty();
  }

  @Test
  public void aCodecThatDoesNotRecognizeItsPayloadsIsNamedInTheHeader() throws Exception {
    String type = "application/vnd.agentbus.test+binary";
    Codec unrecognizable = labelled(otherCodec(), type);
    MessageBus sender = bus(MessageBus.builder().codec(unrecognizable));
    MessageBus reader = bus(MessageBus.builder().codec(jsonCodec())
        .additionalCodecs(otherCodec(), unrecognizable));
    BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> atJsonAgent = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> deadLetters = new LinkedBlockingQueue<>();
    reader.subscribeToAgentMessages(JSON_AGENT, delivered::add);
    jsonAgent.subscribeToAgentMessages(JSON_AGENT, atJsonAgent::add);
    reader.subscribe(reader.subjects().deadLetter(), deadLetters::add);
    settle();

    sender.endpoint(OTHER_AGENT).send(JSON_AGENT, MessageType.QUESTION, awkwardContent());

    Delivery d = take(delivered);
    assertThat(d.headers().first(Headers.CONTENT_TYPE)).isEqualTo(type);
    assertThat(d.codec()).isSameAs(unrecognizable);
    assertThat(d.message().content()).isEqualTo(awkwardContent());
    // the agent without that codec does not take the message for another: it says what is missing
    Delivery letter = take(deadLetters);
    assertThat(letter.headers().first(Headers.ERROR))
        .contains("No codec registered for content type '" + type + "'");
    assertThat(letter.message().content()).isEqualTo(awkwardContent());
    assertThat(jsonAgent.stats().decodeFailures()).isEqualTo(1);
    assertThat(atJsonAgent).isEmpty();
  }

  @Test
  public void bothAgentsReadBroadcastsFromEachOtherAndUnknownTypes() throws Exception {
    BlockingQueue<Delivery> atJson = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> atOther = new LinkedBlockingQueue<>();
    jsonAgent.subscribe(jsonAgent.subjects().allBroadcasts(), atJson::add);
    otherAgent.subscribe(otherAgent.subjects().allBroadcasts(), atOther::add);
    settle();
    MessageType future = MessageType.of("capability_offer");

    otherAgent.endpoint(OTHER_AGENT).broadcast(future, Map.of("capabilities", List.of("parse", "plan")));
    jsonAgent.endpoint(JSON_AGENT).broadcast(MessageType.STATUS_UPDATE, Map.of("status", "completed"));

    // each agent hears both broadcasts, its own echoed by the server as NATS does
    for (BlockingQueue<Delivery> queue : List.of(atJson, atOther)) {
      Delivery first = take(queue);
      Delivery second = take(queue);
      Delivery fromOther = first.message().fromAgent().equals(OTHER_AGENT) ? first : second;
      Delivery fromJson = fromOther == first ? second : first;
      assertThat(fromOther.message().messageType()).isEqualTo(future);
      assertThat(fromOther.message().messageType().isKnown()).isFalse();
      assertThat(fromOther.codec().contentType()).isEqualTo(otherCodec().contentType());
      assertThat(fromJson.message().content()).isEqualTo(Map.of("status", "completed"));
      assertThat(fromJson.codec().contentType()).isEqualTo(jsonCodec().contentType());
    }
  }

  @Test
  public void bothAgentsReadTheSeedsHeaderlessJson() throws Exception {
    BlockingQueue<Delivery> atJson = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> atOther = new LinkedBlockingQueue<>();
    jsonAgent.subscribe(jsonAgent.subjects().everything(), atJson::add);
    otherAgent.subscribe(otherAgent.subjects().everything(), atOther::add);
    settle();

    for (SeedFixtures.Fixture f : SeedFixtures.all()) {
      pythonAgent.publish(f.subject(), null, Headers.empty(), f.bytes());
    }

    for (BlockingQueue<Delivery> queue : List.of(atJson, atOther)) {
      for (SeedFixtures.Fixture f : SeedFixtures.all()) { // one publisher: in publish order
        Delivery d = take(queue);
        assertThat(d.subject()).isEqualTo(f.subject());
        assertThat(d.headers().contains(Headers.CONTENT_TYPE)).isFalse();
        assertThat(d.codec().contentType()).isEqualTo(jsonCodec().contentType());
        assertThat(d.message()).as(f.name()).isEqualTo(f.expected());
      }
    }
    assertThat(jsonAgent.stats().decodeFailures()).isZero();
    assertThat(otherAgent.stats().decodeFailures()).isZero();
  }

  @Test
  public void aBusWithoutTheJsonCodecDeadLettersHeaderlessJsonAndSaysWhy() throws Exception {
    MessageBus otherOnly = bus(MessageBus.builder().codec(otherCodec()));
    BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> deadLetters = new LinkedBlockingQueue<>();
    otherOnly.subscribeToBroadcasts(MessageType.HEARTBEAT, delivered::add);
    jsonAgent.subscribe(jsonAgent.subjects().deadLetter(), deadLetters::add);
    settle();
    SeedFixtures.Fixture heartbeat = SeedFixtures.named("heartbeat-python-isoformat");

    pythonAgent.publish(heartbeat.subject(), null, Headers.empty(), heartbeat.bytes());

    Delivery letter = take(deadLetters);
    assertThat(letter.headers().first(Headers.ERROR))
        .contains("No codec registered for content type '" + MessageBus.DEFAULT_CONTENT_TYPE + "'")
        .contains(otherCodec().contentType());
    assertThat(letter.headers().first(Headers.ORIGINAL_SUBJECT)).isEqualTo(heartbeat.subject());
    assertThat(letter.message()).isEqualTo(heartbeat.expected());
    assertThat(otherOnly.stats().decodeFailures()).isEqualTo(1);
    assertThat(delivered).isEmpty();
  }

  @Test
  public void contentTypesMatchWhateverTheCaseParametersOrAliasesThePublisherUses()
      throws Exception {
    BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
    jsonAgent.subscribeToBroadcasts(MessageType.HEARTBEAT, delivered::add);
    settle();
    SeedFixtures.Fixture heartbeat = SeedFixtures.named("heartbeat-python-isoformat");
    byte[] other = otherCodec().encode(heartbeat.expected());
    List<String> otherTypes = otherCodec().acceptedContentTypes();

    pythonAgent.publish(heartbeat.subject(), null,
        Headers.of(Headers.CONTENT_TYPE, "Application/JSON; charset=utf-8"), heartbeat.bytes());
    for (String alias : otherTypes) {
      pythonAgent.publish(heartbeat.subject(), null,
          Headers.of(Headers.CONTENT_TYPE, alias.toUpperCase(java.util.Locale.ROOT)), other);
    }

    assertThat(take(delivered).message()).isEqualTo(heartbeat.expected());
    for (int i = 0; i < otherTypes.size(); i++) {
      Delivery d = take(delivered);
      assertThat(d.message()).isEqualTo(heartbeat.expected());
      assertThat(d.codec().contentType()).isEqualTo(otherCodec().contentType());
    }
    assertThat(jsonAgent.stats().decodeFailures()).isZero();
  }

  // ------------------------------------------------------------------ request / reply

  @Test
  public void agentsAnswerEachOthersRequests() {
    answerResourceRequests(jsonAgent, JSON_AGENT);
    answerResourceRequests(otherAgent, OTHER_AGENT);
    settle();

    AgentMessage fromJson = otherAgent.endpoint(OTHER_AGENT).request(JSON_AGENT,
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);
    AgentMessage fromOther = jsonAgent.endpoint(JSON_AGENT).request(OTHER_AGENT,
        MessageType.RESOURCE_REQUEST, Map.of("resource", "parser"), WAIT);

    assertThat(fromJson.fromAgent()).isEqualTo(JSON_AGENT);
    assertThat(fromJson.content()).isEqualTo(Map.of("resource", "task_model", "status", "ready",
        "answered_in", otherCodec().contentType()));
    assertThat(fromJson.correlationId()).startsWith(OTHER_AGENT + "-");
    assertThat(fromOther.fromAgent()).isEqualTo(OTHER_AGENT);
    assertThat(fromOther.content()).isEqualTo(Map.of("resource", "parser", "status", "ready",
        "answered_in", jsonCodec().contentType()));
  }

  @Test
  public void aRequestIsAnsweredInTheRequestersCodec() throws Exception {
    answerResourceRequests(jsonAgent, JSON_AGENT);
    answerResourceRequests(otherAgent, OTHER_AGENT);
    Transport requester = rawTransport();
    settle();

    for (String responder : List.of(JSON_AGENT, OTHER_AGENT)) {
      for (Codec codec : List.of(jsonCodec(), otherCodec())) {
        AgentMessage request = AgentMessage.builder()
            .fromAgent("requester-001")
            .toAgent(responder)
            .messageType(MessageType.RESOURCE_REQUEST)
            .content(Map.of("resource", "task_model"))
            .timestamp(java.time.Instant.parse("2025-12-05T14:32:10.004Z"))
            .correlationId("requester-001-1733409130004-1")
            .build();
        TransportMessage reply = requester.request(
            jsonAgent.subjects().direct(responder, MessageType.RESOURCE_REQUEST),
            Headers.of(Headers.CONTENT_TYPE, codec.contentType()), codec.encode(request), WAIT)
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        String what = "reply of " + responder + " to a " + codec.contentType() + " request";
        assertThat(reply.headers().first(Headers.CONTENT_TYPE)).as(what)
            .isEqualTo(headerFor(codec, reply.payload()));
        AgentMessage answer = codec.decode(reply.payload());
        assertThat(answer.correlationId()).as(what).isEqualTo(request.correlationId());
        assertThat(answer.content()).as(what).containsEntry("answered_in", codec.contentType());
      }
    }
  }

  @Test
  public void theSeedsHeaderlessRequestIsAnsweredInJsonByEitherAgent() throws Exception {
    answerResourceRequests(jsonAgent, JSON_AGENT);
    answerResourceRequests(otherAgent, OTHER_AGENT);
    settle();
    SeedFixtures.Fixture seedRequest = SeedFixtures.named("resource-request");

    for (String responder : List.of(JSON_AGENT, OTHER_AGENT)) {
      AgentMessage request = seedRequest.expected();
      byte[] bytes = seedRequest.bytes(); // exactly as Python wrote it
      String subject = seedRequest.subject();
      if (!responder.equals(request.toAgent())) {
        // the same request from another seed agent to this responder, still header-less JSON
        request = request.toBuilder().fromAgent("test-coordinator").toAgent(responder).build();
        bytes = jsonCodec().encode(request);
        subject = jsonAgent.subjects().direct(responder, MessageType.RESOURCE_REQUEST);
      }
      TransportMessage reply = pythonAgent.request(subject, Headers.empty(), bytes, WAIT)
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

      assertThat(reply.headers().first(Headers.CONTENT_TYPE)).as("reply of %s", responder)
          .isEqualTo(headerFor(jsonCodec(), reply.payload()));
      AgentMessage answer = jsonCodec().decode(reply.payload());
      assertThat(answer.fromAgent()).isEqualTo(responder);
      assertThat(answer.toAgent()).isEqualTo(request.fromAgent());
      assertThat(answer.messageType()).isEqualTo(MessageType.RESOURCE_RESPONSE);
      assertThat(answer.correlationId()).isEqualTo(request.correlationId());
      assertThat(answer.content()).containsEntry("resource", "task_model")
          .containsEntry("answered_in", jsonCodec().contentType());
    }
  }

  /** {@code agent} answers every resource request with the resource, "ready" and the codec. */
  private static void answerResourceRequests(MessageBus bus, String agent) {
    bus.subscribeToAgentMessages(agent, d -> {
      if (d.isRequest() && d.message().messageType().equals(MessageType.RESOURCE_REQUEST)) {
        d.reply(MessageType.RESOURCE_RESPONSE, Map.of(
            "resource", d.message().content().get("resource"),
            "status", "ready",
            "answered_in", d.codec().contentType()));
      }
    });
  }

  // ------------------------------------------------------------------ helpers

  /** Content whose value kinds a lossy codec would change. */
  private static Map<String, @Nullable Object> awkwardContent() {
    Map<String, @Nullable Object> nested = new LinkedHashMap<>();
    nested.put("file", "src/models/task.py");
    nested.put("line", 42L);
    Map<String, @Nullable Object> content = new LinkedHashMap<>();
    content.put("big", Long.MAX_VALUE);
    content.put("beyond_double", 9_007_199_254_740_993L);
    content.put("two", 2.0);
    content.put("ratio", 0.1);
    content.put("none", null);
    content.put("flag", true);
    content.put("text", "héllo 😀");
    content.put("mixed", Arrays.asList("a", 1L, 1.5, null, false, List.of(), Map.of()));
    content.put("context", nested);
    return content;
  }

  private static Delivery take(BlockingQueue<Delivery> queue) throws InterruptedException {
    Delivery d = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(d).as("a delivery within " + WAIT).isNotNull();
    return d;
  }

  /**
   * The Content-Type header a bus sends with {@code payload} of {@code codec}: none for JSON
   * (absent means JSON, as the seed's Python agents publish it) and none for a payload its codec
   * {@linkplain Codec#recognizes recognizes}; the codec's content type otherwise.
   */
  private static @Nullable String headerFor(Codec codec, byte[] payload) {
    return codec.contentType().equals(MessageBus.DEFAULT_CONTENT_TYPE)
        || codec.recognizes(payload) ? null : codec.contentType();
  }

  /** {@code codec} under another content type, recognizing nothing: it must be named. */
  private static Codec labelled(Codec codec, String contentType) {
    return new Codec() {
      @Override
      public String contentType() {
        return contentType;
      }

      @Override
      public byte[] encode(AgentMessage message) {
        return codec.encode(message);
      }

      @Override
      public AgentMessage decode(byte[] bytes) {
        return codec.decode(bytes);
      }
    };
  }
}
