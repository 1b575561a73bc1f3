package io.agentbus.transport.nats.security;

import io.agentbus.ConfigurationException;
import io.agentbus.Subjects;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What the agents behind one NATS identity (one agent, or one agent host process serving several)
 * do on the bus, from which {@link NatsAuthorization} derives their permissions. Immutable and
 * thread-safe; built with {@link #builder(String)}, each value checked as a subject token when
 * set.
 *
 * <p>{@code *} is accepted in {@link Builder#sends}, {@link Builder#listens} and {@link
 * Builder#talksTo} to mean "every broadcast type" or "every agent"; it widens the permission to
 * a wildcard, so use it only for roles that need it (an orchestrator's monitor, say).
 */
public final class AgentRole {
  /** The wildcard value: every type, or every agent. */
  public static final String ANY = "*";
  /** The kept histories a role may replay ({@link #replays()}). */
  public static final Set<String> HISTORIES = Set.of("broadcasts", "deadletter");

  private final String identity;
  private final Set<String> agents;
  private final Set<String> teams;
  private final Set<String> works;
  private final Set<String> publishes;
  private final Set<String> sends;
  private final Set<String> listens;
  private final Set<String> talksTo;
  private final Set<String> replays;
  private final boolean directory;

  private AgentRole(Builder b) {
    this.identity = b.identity;
    this.agents = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.agents));
    this.teams = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.teams));
    this.works = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.works));
    this.publishes = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.publishes));
    this.sends = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.sends));
    this.listens = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.listens));
    this.talksTo = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.talksTo));
    this.replays = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.replays));
    this.directory = b.directory;
  }

  /**
   * A builder for the identity {@code identity}, a subject token (it names the seed file and
   * the NATS user's comment).
   *
   * @throws ConfigurationException if it is not a valid token
   */
  public static Builder builder(String identity) {
    return new Builder(token("identity", identity));
  }

  /** The identity's name. */
  public String identity() {
    return identity;
  }

  /** The agent ids this identity serves: it receives their direct messages. */
  public Set<String> agents() {
    return agents;
  }

  /** The teams its agents belong to: they receive and send team messages. */
  public Set<String> teams() {
    return teams;
  }

  /** The work queues its agents take items from. */
  public Set<String> works() {
    return works;
  }

  /** The work queues its agents put items on. */
  public Set<String> publishes() {
    return publishes;
  }

  /** The broadcast types its agents send, besides {@code heartbeat} and {@code status_update}. */
  public Set<String> sends() {
    return sends;
  }

  /** The broadcast types its agents listen to. */
  public Set<String> listens() {
    return listens;
  }

  /** The agents its agents send direct messages and requests to. */
  public Set<String> talksTo() {
    return talksTo;
  }

  /**
   * The kept histories its agents replay ({@code broadcasts}: the namespace's broadcasts kept with
   * {@code MessageBus.Builder.keepBroadcasts}; {@code deadletter}: its dead letters): its bus may
   * declare those streams and read them through consumers of its own.
   */
  public Set<String> replays() {
    return replays;
  }

  /**
   * Whether its agents list the others through discovery ({@code $SRV.INFO}, as the orchestrator
   * monitor does at start and the {@code agentbus} command does).
   */
  public boolean directory() {
    return directory;
  }

  @Override
  public String toString() {
    return "AgentRole{" + identity + ", agents=" + agents + ", teams=" + teams + ", works="
        + works + ", publishes=" + publishes + ", sends=" + sends + ", listens=" + listens
        + ", talksTo=" + talksTo + ", replays=" + replays + "}";
  }

  private static String token(String what, String value) {
    Objects.requireNonNull(value, what);
    try {
      return Subjects.requireToken(what, value.trim());
    } catch (RuntimeException e) {
      throw new ConfigurationException("Invalid " + what + " '" + value + "': " + e.getMessage(),
          e);
    }
  }

  private static String tokenOrAny(String what, String value) {
    return ANY.equals(value.trim()) ? ANY : token(what, value);
  }

  /** Builds an {@link AgentRole}; each method adds to what was set before. Not thread-safe. */
  public static final class Builder {
    private final String identity;
    private final Set<String> agents = new LinkedHashSet<>();
    private final Set<String> teams = new LinkedHashSet<>();
    private final Set<String> works = new LinkedHashSet<>();
    private final Set<String> publishes = new LinkedHashSet<>();
    private final Set<String> sends = new LinkedHashSet<>();
    private final Set<String> listens = new LinkedHashSet<>();
    private final Set<String> talksTo = new LinkedHashSet<>();
    private final Set<String> replays = new LinkedHashSet<>();
    private boolean directory;

    private Builder(String identity) {
      this.identity = identity;
    }

    /** Agent ids served by this identity. */
    public Builder agents(Collection<String> ids) {
      ids.forEach(id -> agents.add(token("agent id", id)));
      return this;
    }

    /** Teams. */
    public Builder teams(Collection<String> ids) {
      ids.forEach(id -> teams.add(token("team id", id)));
      return this;
    }

    /** Queues worked (taken from). */
    public Builder works(Collection<String> queues) {
      queues.forEach(q -> works.add(token("queue name", q)));
      return this;
    }

    /** Queues published to. */
    public Builder publishes(Collection<String> queues) {
      queues.forEach(q -> publishes.add(token("queue name", q)));
      return this;
    }

    /** Broadcast types sent (wire names, or {@code *}). */
    public Builder sends(Collection<String> types) {
      types.forEach(t -> sends.add(tokenOrAny("broadcast type", t)));
      return this;
    }

    /** Broadcast types listened to (wire names, or {@code *}). */
    public Builder listens(Collection<String> types) {
      types.forEach(t -> listens.add(tokenOrAny("broadcast type", t)));
      return this;
    }

    /** Agents addressed directly (ids, or {@code *}). */
    public Builder talksTo(Collection<String> ids) {
      ids.forEach(id -> talksTo.add(tokenOrAny("agent id", id)));
      return this;
    }

    /**
     * Kept histories replayed: {@code broadcasts} and/or {@code deadletter}.
     *
     * @throws ConfigurationException naming the value if it is neither
     */
    public Builder replays(Collection<String> histories) {
      for (String h : histories) {
        String t = h.trim();
        if (!HISTORIES.contains(t)) {
          throw new ConfigurationException("Invalid kept history '" + h + "' for identity '"
              + identity + "': the histories are broadcasts and deadletter");
        }
        replays.add(t);
      }
      return this;
    }

    /** Lets its agents list the others through discovery; see {@link AgentRole#directory()}. */
    public Builder directory(boolean lists) {
      this.directory = lists;
      return this;
    }

    /**
     * @throws ConfigurationException if the role serves no agent
     */
    public AgentRole build() {
      if (agents.isEmpty()) {
        throw new ConfigurationException("The role of identity '" + identity + "' serves no "
            + "agent: list at least one agent id");
      }
      return new AgentRole(this);
    }
  }
}
