package io.agentbus;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a {@linkplain MessageBus#gather scatter-gather} gathered: the replies in arrival order, who
 * sent them, the responders that failed, who was expected and did not answer, and why gathering
 * ended.
 *
 * <p>Immutable.
 */
public final class GatherResult {
  /** Why gathering ended. */
  public enum Ending {
    /** Not ended: a snapshot given to {@link GatherOptions#onProgress()}. */
    IN_PROGRESS,
    /** {@link GatherOptions#maxReplies()} replies arrived. */
    ENOUGH_REPLIES,
    /** Every {@linkplain GatherOptions#expected() expected} agent answered. */
    ALL_EXPECTED,
    /** {@link GatherOptions#quietPeriod()} passed without a reply. */
    QUIET,
    /** {@link GatherOptions#deadline()} passed. */
    DEADLINE,
    /** The bus closed, or the caller cancelled the future. */
    CLOSED
  }

  private final List<AgentMessage> replies;
  private final List<String> failures;
  private final Set<String> expected;
  private final Ending ending;
  private final Duration elapsed;

  GatherResult(List<AgentMessage> replies, List<String> failures, Set<String> expected,
      Ending ending, Duration elapsed) {
    this.replies = List.copyOf(replies);
    this.failures = List.copyOf(failures);
    this.expected = expected;
    this.ending = ending;
    this.elapsed = elapsed;
  }

  /** The replies, in the order they arrived. */
  public List<AgentMessage> replies() {
    return replies;
  }

  /** Who replied ({@code from_agent} of each reply), in the order they first did. */
  public Set<String> respondents() {
    Set<String> s = new LinkedHashSet<>();
    for (AgentMessage m : replies) {
      s.add(m.fromAgent());
    }
    return s;
  }

  /**
   * The error replies of responders that failed (their {@code AgentBus-Error}, {@code "<Type>:
   * <message>"}), in arrival order. An error reply names no sender, so a failed expected agent
   * is also among the {@link #missing()}.
   */
  public List<String> failures() {
    return failures;
  }

  /** The agents that were expected to answer ({@link GatherOptions#expected()}). */
  public Set<String> expected() {
    return expected;
  }

  /**
   * Who replied without being expected, in the order they first did: an agent that joined after
   * the expected set was made, or one the directory did not list. Empty when no agent was
   * expected (there was nothing to compare with).
   */
  public Set<String> unexpected() {
    if (expected.isEmpty()) {
      return Set.of();
    }
    Set<String> s = respondents();
    s.removeAll(expected);
    return s;
  }

  /** The expected agents that sent no reply. */
  public Set<String> missing() {
    Set<String> s = new LinkedHashSet<>(expected);
    s.removeAll(respondents());
    return s;
  }

  /** Why gathering ended. */
  public Ending ending() {
    return ending;
  }

  /** From the request to the end of gathering, by the bus's scheduler. */
  public Duration elapsed() {
    return elapsed;
  }

  @Override
  public String toString() {
    return "GatherResult{" + ending + " after " + elapsed + ", respondents=" + respondents()
        + ", failures=" + failures.size() + ", missing=" + missing() + ", unexpected="
        + unexpected() + "}";
  }
}
