package io.agentbus.agent.discovery;

import io.agentbus.AgentMessage;
import io.agentbus.GatherOptions;
import io.agentbus.GatherResult;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.Subjects;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the bus which agents are there and what they do, through the NATS micro service protocol:
 * a {@code $SRV.INFO} request whose answers are gathered for a timeout (the protocol has no end
 * marker: every service that hears the request answers once). Only AgentBus agents of the bus's
 * namespace are listed; other micro services on the same server are skipped. Agents that do not
 * answer discovery but heartbeat (the seed's Python agents) can be added with {@link
 * Builder#alsoAlive}, typically {@code monitor::aliveAgents}.
 *
 * <pre>{@code
 * AgentDirectory directory = AgentDirectory.builder(bus).alsoAlive(monitor::aliveAgents).build();
 * List<AgentInfo> reviewers = directory.inTeam("review", Duration.ofMillis(500));
 * }</pre>
 *
 * <p>It also says who should answer a scatter-gather: {@link #gatherFromTeam} and {@link
 * #gatherFromListeners} look the responders up, then {@linkplain MessageBus#gather gather} with
 * them expected, so that the result tells who answered, who did not, and who answered unlisted.
 *
 * <p>Waits run on the bus's {@link io.agentbus.time.Scheduler}, so tests on virtual time advance
 * the clock past the timeout. Thread-safe.
 */
public final class AgentDirectory {
  private static final Logger log = LoggerFactory.getLogger(AgentDirectory.class);

  private final MessageBus bus;
  private final Transport transport;
  private final @Nullable Supplier<? extends Collection<String>> alsoAlive;

  private AgentDirectory(Builder b) {
    this.bus = b.bus;
    this.transport = b.bus.transport();
    this.alsoAlive = b.alsoAlive;
  }

  /** A directory of the agents on {@code bus}, from discovery alone. */
  public static AgentDirectory of(MessageBus bus) {
    return builder(bus).build();
  }

  public static Builder builder(MessageBus bus) {
    return new Builder(bus);
  }

  /**
   * Every agent that answers within {@code timeout}, sorted by id and instance; with {@link
   * Builder#alsoAlive}, also the heartbeating agents that did not answer ({@link
   * AgentInfo.Source#HEARTBEAT}). Cancelling the future stops the gathering at once.
   */
  public CompletableFuture<List<AgentInfo>> listAsync(Duration timeout) {
    return withHeartbeats(gather("$SRV.INFO", timeout, info -> {}));
  }

  /**
   * Like {@link #listAsync}, also handing each agent to {@code onEach} as its answer arrives (on a
   * transport thread), so a caller can act before the timeout.
   */
  public CompletableFuture<List<AgentInfo>> listAsync(Duration timeout,
      Consumer<AgentInfo> onEach) {
    Objects.requireNonNull(onEach, "onEach");
    return withHeartbeats(gather("$SRV.INFO", timeout, onEach));
  }

  /** {@link #listAsync}, waiting for it. */
  public List<AgentInfo> list(Duration timeout) throws InterruptedException {
    return await(listAsync(timeout));
  }

  /** The running instances of {@code agentId} that answer within {@code timeout}. */
  public List<AgentInfo> find(String agentId, Duration timeout) throws InterruptedException {
    Subjects.requireToken("agent id", agentId);
    return await(gather("$SRV.INFO." + agentId, timeout, info -> {}));
  }

  /** The agents that handle {@code type} (addressed to them, or as a broadcast). */
  public List<AgentInfo> handling(MessageType type, Duration timeout)
      throws InterruptedException {
    Objects.requireNonNull(type, "type");
    return list(timeout).stream().filter(a -> a.handles(type)).toList();
  }

  /** The agents that belong to {@code team}. */
  public List<AgentInfo> inTeam(String team, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(team, "team");
    return list(timeout).stream().filter(a -> a.teams().contains(team)).toList();
  }

  /**
   * Scatter-gather to team {@code team}, expecting its members: lists the agents that answer
   * discovery within {@code lookup} and belong to the team, then sends {@code message} to the
   * team's subject for its type ({@code <ns>.team.<team>.<type>}) and gathers by {@code options},
   * with those members {@linkplain GatherOptions#expected() expected} (besides any the options
   * already expect). Gathering ends early once all of them answered. In the result, {@link
   * GatherResult#respondents()} answered, {@link GatherResult#missing()} are members that did not
   * (slow past the deadline, failed, or gone since the lookup; a failure's error is in {@link
   * GatherResult#failures()}) and {@link GatherResult#unexpected()} answered without being listed
   * (an agent that does not answer discovery, or that joined after the lookup). Both waits run on
   * the bus's scheduler: the lookup's {@code lookup}, then the gathering's deadline. Cancelling the
   * future stops whichever is under way.
   *
   * @throws io.agentbus.InvalidSubjectException if {@code team} is not a subject token
   */
  public CompletableFuture<GatherResult> gatherFromTeam(String team, AgentMessage message,
      GatherOptions options, Duration lookup) {
    Objects.requireNonNull(message, "message");
    String subject = bus.subjects().team(team, message.messageType());
    return gatherExpecting(subject, message, options, lookup, a -> a.teams().contains(team));
  }

  /**
   * Scatter-gather to the agents that listen to broadcasts of {@code message}'s type, expecting
   * each: lists the agents that answer discovery within {@code lookup} with a broadcast endpoint
   * for the type ({@link AgentInfo#broadcasts()}), then broadcasts {@code message} as a request
   * ({@code <ns>.broadcast.<type>}) and gathers by {@code options} with them expected, as {@link
   * #gatherFromTeam} does. Agents that take the type only addressed to them are not asked: a
   * broadcast does not reach them.
   */
  public CompletableFuture<GatherResult> gatherFromListeners(AgentMessage message,
      GatherOptions options, Duration lookup) {
    Objects.requireNonNull(message, "message");
    MessageType type = message.messageType();
    return gatherExpecting(bus.subjects().broadcast(type), message, options, lookup,
        a -> a.broadcasts().contains(type));
  }

  private CompletableFuture<GatherResult> gatherExpecting(String subject, AgentMessage message,
      GatherOptions options, Duration lookup, java.util.function.Predicate<AgentInfo> expected) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(lookup, "lookup");
    CompletableFuture<List<AgentInfo>> listing = gather("$SRV.INFO", lookup, info -> {});
    CompletableFuture<GatherResult> result = new CompletableFuture<>();
    listing.whenComplete((agents, failure) -> {
      if (failure != null) {
        result.completeExceptionally(failure);
        return;
      }
      Set<String> ids = new java.util.LinkedHashSet<>();
      agents.stream().filter(expected).forEach(a -> ids.add(a.agentId()));
      log.debug("Gathering on '{}' expecting {}", subject, ids);
      CompletableFuture<GatherResult> gathering;
      try {
        gathering = bus.gather(subject, message, options.toBuilder().expect(ids).build());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      result.whenComplete((r, e) -> {
        if (result.isCancelled()) {
          gathering.cancel(false);
        }
      });
      gathering.whenComplete((r, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(r);
        }
      });
    });
    result.whenComplete((r, e) -> {
      if (result.isCancelled()) {
        listing.cancel(false);
      }
    });
    return result;
  }

  /**
   * Asks whether an agent with id {@code agentId} answers, and returns the first answer: fast when
   * nobody has the id (the server says there are no responders), at most {@code timeout}
   * otherwise. Used to refuse duplicate agent ids.
   */
  public Optional<AgentInfo> pingFirst(String agentId, Duration timeout)
      throws InterruptedException {
    Subjects.requireToken("agent id", agentId);
    TransportMessage reply;
    try {
      reply = transport.requestAndWait("$SRV.PING." + agentId, Headers.empty(), new byte[0],
          timeout);
    } catch (NoRespondersException e) {
      return Optional.empty();
    } catch (io.agentbus.RequestTimeoutException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(parse(reply, AgentService.PING_TYPE));
  }

  /** {@code gathering} with the heartbeating agents added; cancelling it cancels the gathering. */
  private CompletableFuture<List<AgentInfo>> withHeartbeats(
      CompletableFuture<List<AgentInfo>> gathering) {
    CompletableFuture<List<AgentInfo>> listed = gathering.thenApply(this::addHeartbeating);
    listed.whenComplete((list, failure) -> {
      if (listed.isCancelled()) {
        gathering.cancel(false);
      }
    });
    return listed;
  }

  private List<AgentInfo> addHeartbeating(List<AgentInfo> answered) {
    Supplier<? extends Collection<String>> alive = alsoAlive;
    if (alive == null) {
      return answered;
    }
    List<AgentInfo> all = new ArrayList<>(answered);
    Set<String> known = new java.util.HashSet<>();
    answered.forEach(a -> known.add(a.agentId()));
    for (String id : alive.get()) {
      if (known.add(id)) {
        all.add(new AgentInfo(id, "", "", "", Map.of(), List.of(), AgentInfo.Source.HEARTBEAT));
      }
    }
    all.sort(ORDER);
    return List.copyOf(all);
  }

  private static final Comparator<AgentInfo> ORDER =
      Comparator.comparing(AgentInfo::agentId).thenComparing(AgentInfo::instanceId);

  private CompletableFuture<List<AgentInfo>> gather(String subject, Duration timeout,
      Consumer<AgentInfo> onEach) {
    Objects.requireNonNull(timeout, "timeout");
    String inbox = transport.newInbox();
    Map<String, AgentInfo> found = new LinkedHashMap<>(); // guarded by itself
    boolean[] done = {false}; // guarded by found
    CompletableFuture<List<AgentInfo>> result = new CompletableFuture<>();
    TransportSubscription sub = transport.subscribe(inbox, null, m -> {
      AgentInfo info = parse(m, AgentService.INFO_TYPE);
      if (info == null) {
        return;
      }
      synchronized (found) {
        if (done[0]) {
          return;
        }
        found.put(info.agentId() + "\u0000" + info.instanceId(), info);
      }
      onEach.accept(info);
    });
    io.agentbus.time.Scheduler.Cancellable timer = bus.scheduler().schedule(timeout, () -> {
      sub.unsubscribe();
      List<AgentInfo> all;
      synchronized (found) {
        done[0] = true;
        all = new ArrayList<>(found.values());
      }
      all.sort(ORDER);
      result.complete(List.copyOf(all));
    });
    result.whenComplete((list, failure) -> {
      if (result.isCancelled()) { // the caller gave up: release the inbox and the timer now
        timer.cancel();
        sub.unsubscribe();
      }
    });
    try {
      transport.flush(timeout);
      transport.publish(subject, inbox, Headers.empty(), new byte[0]);
    } catch (RuntimeException e) {
      sub.unsubscribe();
      result.completeExceptionally(e);
    }
    return result;
  }

  /** An answer as an {@link AgentInfo}, or null (logged at debug) when it is not one of ours. */
  private @Nullable AgentInfo parse(TransportMessage m, String expectedType) {
    try {
      Map<String, @Nullable Object> json = MicroJson.readObject(m.payload());
      if (!expectedType.equals(json.get("type"))) {
        return null;
      }
      Map<String, String> metadata = strings(json.get("metadata"));
      if (!AgentService.SDK_NAME.equals(metadata.get(AgentService.SDK))
          || !bus.subjects().namespace().equals(metadata.get(AgentService.NAMESPACE))) {
        return null; // another kind of service, or agents of another namespace
      }
      List<AgentInfo.Endpoint> endpoints = new ArrayList<>();
      if (json.get("endpoints") instanceof List<?> list) {
        for (Object o : list) {
          if (o instanceof Map<?, ?> e) {
            Object qg = e.get("queue_group");
            endpoints.add(new AgentInfo.Endpoint(String.valueOf(e.get("name")),
                String.valueOf(e.get("subject")), qg instanceof String s && !s.isEmpty() ? s : null,
                strings(e.get("metadata"))));
          }
        }
      }
      return new AgentInfo(text(json, "name"), text(json, "id"), text(json, "version"),
          json.get("description") instanceof String d ? d : "", metadata, endpoints,
          AgentInfo.Source.DISCOVERY);
    } catch (RuntimeException e) {
      log.debug("Skipping a discovery answer on '{}' that is not an AgentBus agent's: {}",
          m.subject(), e.toString());
      return null;
    }
  }

  private static String text(Map<String, @Nullable Object> json, String key) {
    if (json.get(key) instanceof String s && !s.isEmpty()) {
      return s;
    }
    throw new IllegalArgumentException("no '" + key + "'");
  }

  private static Map<String, String> strings(@Nullable Object o) {
    Map<String, String> m = new LinkedHashMap<>();
    if (o instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        if (v != null) {
          m.put(String.valueOf(k), String.valueOf(v));
        }
      });
    }
    return m;
  }

  private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("Discovery failed: " + c, c);
    }
  }

  @Override
  public String toString() {
    return "AgentDirectory{" + bus.subjects().namespace() + "}";
  }

  /** Builds an {@link AgentDirectory}. Not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private @Nullable Supplier<? extends Collection<String>> alsoAlive;

    private Builder(MessageBus bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
    }

    /**
     * Adds agents known alive from elsewhere (heartbeats: {@code monitor::aliveAgents}) to what
     * {@link #listAsync} returns, when they did not answer discovery.
     */
    public Builder alsoAlive(Supplier<? extends Collection<String>> aliveIds) {
      this.alsoAlive = Objects.requireNonNull(aliveIds, "aliveIds");
      return this;
    }

    public AgentDirectory build() {
      return new AgentDirectory(this);
    }
  }
}
