package io.agentbus;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The seed's subject hierarchy under one namespace (default {@code orchestrator}):
 *
 * <pre>
 * &lt;ns&gt;.broadcast.&lt;message_type&gt;
 * &lt;ns&gt;.agent.&lt;agent_id&gt;.&lt;message_type&gt;
 * &lt;ns&gt;.team.&lt;team_id&gt;.&lt;message_type&gt;
 * &lt;ns&gt;.queue.&lt;queue_name&gt;
 * &lt;ns&gt;.deadletter
 * </pre>
 *
 * <p>Also the validation rules every transport applies, so that the in-memory transport rejects
 * exactly what a NATS server would. Thread-safe, and its value never changes; it reuses the
 * subjects it made last, so publishing to the same place again builds no new string.
 */
public final class Subjects {
  /**
   * Tokens that passed {@link #requireToken} lately, by hash code: the same agent ids come with
   * every message a process sends and decodes, and checking them char by char showed in an
   * in-memory publish's profile (docs/performance.md has the figure). A hit is a {@code String} equal to the one in the slot (usually the very
   * instance); a hit never writes, so threads that each hold their own copy of an id do not pass
   * the line back and forth. Threads race on the slots harmlessly: a reference is read whole, and
   * a {@code String} is immutable.
   */
  private static final String[] VALID_TOKENS = new String[1024];
  /**
   * Subjects that passed {@link #requireSubject} lately, kept as {@link #VALID_TOKENS} are: a bus
   * publishes to the very subject strings it made last, and every transport checks each publish.
   * Reply inboxes ({@code _INBOX.}) are used once and not kept, so that a responder's replies do
   * not write into the lines the hot subjects are read from.
   */
  private static final String[] VALID_SUBJECTS = new String[1024];
  /** The seed's namespace. */
  public static final String DEFAULT_NAMESPACE = "orchestrator";

  private final String namespace;
  /** The broadcast subject of each known type, by {@link MessageType#index()}: made once. */
  private final String[] broadcasts;
  /** The last direct and queue subjects made, kept for the next publish (usually the same). */
  private @Nullable Made lastDirect;
  private @Nullable Made lastQueue;

  private Subjects(String namespace) {
    this.namespace = namespace;
    List<MessageType> known = MessageType.values();
    this.broadcasts = new String[known.size()];
    for (MessageType type : known) {
      broadcasts[type.index()] = namespace + ".broadcast." + type.wireName();
    }
  }

  /**
   * A subject and what it was made of. Immutable, so a thread that reads another's (the field is
   * written without synchronisation) sees it whole; a stale one is only a cache miss.
   */
  private static final class Made {
    final String token;
    final @Nullable MessageType type;
    final String subject;

    Made(String token, @Nullable MessageType type, String subject) {
      this.token = token;
      this.type = type;
      this.subject = subject;
    }
  }

  /** The hierarchy under the default namespace {@code orchestrator}. */
  public static Subjects defaults() {
    return new Subjects(DEFAULT_NAMESPACE);
  }

  /**
   * The hierarchy under {@code namespace}: one or more tokens ({@code acme.prod} is allowed), so
   * several orchestrators can share one NATS.
   */
  public static Subjects of(String namespace) {
    requireSubject("namespace", namespace);
    return new Subjects(namespace);
  }

  public String namespace() {
    return namespace;
  }

  /** {@code <ns>.broadcast.<type>} */
  public String broadcast(MessageType type) {
    int index = type.index();
    return index >= 0 ? broadcasts[index] : namespace + ".broadcast." + type.wireName();
  }

  /** {@code <ns>.broadcast.*}: every broadcast. */
  public String allBroadcasts() {
    return namespace + ".broadcast.*";
  }

  /** {@code <ns>.agent.<agentId>.<type>} */
  public String direct(String agentId, MessageType type) {
    Made last = lastDirect;
    if (last != null && last.type == type && last.token.equals(agentId)) {
      return last.subject;
    }
    String subject =
        namespace + ".agent." + requireToken("agent id", agentId) + "." + type.wireName();
    lastDirect = new Made(agentId, type, subject);
    return subject;
  }

  /** {@code <ns>.agent.<agentId>.*}: every direct message to one agent. */
  public String allDirect(String agentId) {
    return namespace + ".agent." + requireToken("agent id", agentId) + ".*";
  }

  /** {@code <ns>.team.<teamId>.<type>} */
  public String team(String teamId, MessageType type) {
    return namespace + ".team." + requireToken("team id", teamId) + "." + type.wireName();
  }

  /** {@code <ns>.team.<teamId>.*}: every message to one team. */
  public String allTeam(String teamId) {
    return namespace + ".team." + requireToken("team id", teamId) + ".*";
  }

  /** {@code <ns>.queue.<queueName>} */
  public String queue(String queueName) {
    Made last = lastQueue;
    if (last != null && last.token.equals(queueName)) {
      return last.subject;
    }
    String subject = namespace + ".queue." + requireToken("queue name", queueName);
    lastQueue = new Made(queueName, null, subject);
    return subject;
  }

  /** {@code <ns>.deadletter}: where undecodable or unhandled messages are republished. */
  public String deadLetter() {
    return namespace + ".deadletter";
  }

  /** {@code <ns>.>}: everything in the namespace. */
  public String everything() {
    return namespace + ".>";
  }

  // ---------------------------------------------------------------- validation

  /**
   * Checks that {@code value} is one subject token: non-empty, and free of {@code .}, {@code *},
   * {@code >} and whitespace. Agent, team and queue ids and message types are tokens.
   *
   * @param what what the value is, for the error ("agent id", "team id", ...)
   * @return the value
   * @throws InvalidSubjectException naming the value and what is wrong with it
   */
  public static String requireToken(String what, String value) {
    Objects.requireNonNull(value, () -> what + " must not be null");
    if (remembered(VALID_TOKENS, value)) {
      return value;
    }
    if (value.isEmpty()) {
      throw new InvalidSubjectException(what + " must not be empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (isPlainTokenChar(c)) {
        continue;
      }
      String problem = tokenCharProblem(c);
      if (problem != null) {
        throw new InvalidSubjectException("Invalid " + what + " '" + value + "': " + problem
            + " at index " + i + " (ids are single subject tokens: no spaces, '.', '*' or '>')");
      }
    }
    remember(VALID_TOKENS, value);
    return value;
  }

  /**
   * Checks a subject to publish to: dot-separated non-empty tokens, no wildcards, no whitespace.
   *
   * @throws InvalidSubjectException naming the subject and what is wrong with it
   */
  public static String requireSubject(String what, String subject) {
    Objects.requireNonNull(subject, () -> what + " must not be null");
    if (remembered(VALID_SUBJECTS, subject)) {
      return subject;
    }
    check(what, subject, false);
    if (!subject.startsWith("_INBOX")) { // _INBOX. and the private _INBOX_<key>. alike
      remember(VALID_SUBJECTS, subject);
    }
    return subject;
  }

  /**
   * True when {@code value}, or a string equal to it, passed a check before and is still in its
   * slot of {@code cache}; Strings do not change. A hit never writes: an equal instance does not
   * take the slot, because the publisher's id and each decoding thread's copy of it took turns,
   * and every write moved the line between cores (docs/performance.md: a queue-group
   * publisher's profile).
   */
  private static boolean remembered(String[] cache, String value) {
    String known = cache[value.hashCode() & (cache.length - 1)];
    return known == value || value.equals(known);
  }

  private static void remember(String[] cache, String value) {
    cache[value.hashCode() & (cache.length - 1)] = value;
  }

  /**
   * Checks a subject pattern to subscribe to: like a subject, but a token may be {@code *} (one
   * token) and the last token may be {@code >} (one or more tokens).
   */
  public static String requirePattern(String what, String pattern) {
    return check(what, pattern, true);
  }

  /** True when the pattern contains a {@code *} or {@code >} token. */
  public static boolean isWildcard(String pattern) {
    for (String token : pattern.split("\\.", -1)) {
      if (token.equals("*") || token.equals(">")) {
        return true;
      }
    }
    return false;
  }

  /**
   * NATS matching: {@code *} matches exactly one token, a final {@code >} one or more tokens,
   * anything else the same token. Both arguments are assumed valid.
   */
  public static boolean matches(String pattern, String subject) {
    int p = 0;
    int s = 0;
    int pl = pattern.length();
    int sl = subject.length();
    while (true) {
      int pe = pattern.indexOf('.', p);
      if (pe < 0) {
        pe = pl;
      }
      int se = subject.indexOf('.', s);
      if (se < 0) {
        se = sl;
      }
      int plen = pe - p;
      if (plen == 1 && pattern.charAt(p) == '>') {
        return true; // the subject still has at least one token here
      }
      if (!(plen == 1 && pattern.charAt(p) == '*')
          && (plen != se - s || !pattern.regionMatches(p, subject, s, plen))) {
        return false;
      }
      boolean patternDone = pe == pl;
      boolean subjectDone = se == sl;
      if (patternDone || subjectDone) {
        return patternDone && subjectDone;
      }
      p = pe + 1;
      s = se + 1;
    }
  }

  private static String check(String what, String subject, boolean wildcards) {
    Objects.requireNonNull(subject, () -> what + " must not be null");
    if (subject.isEmpty()) {
      throw new InvalidSubjectException(what + " must not be empty");
    }
    int start = 0;
    int n = subject.length();
    while (start <= n) {
      int end = subject.indexOf('.', start);
      if (end < 0) {
        end = n;
      }
      if (end == start) {
        throw new InvalidSubjectException("Invalid " + what + " '" + subject
            + "': empty token at index " + start + " (no leading, trailing or double dots)");
      }
      boolean single = end - start == 1;
      char first = subject.charAt(start);
      if (single && (first == '*' || first == '>')) {
        if (!wildcards) {
          throw new InvalidSubjectException("Invalid " + what + " '" + subject
              + "': wildcard '" + first + "' is not allowed when publishing");
        }
        if (first == '>' && end != n) {
          throw new InvalidSubjectException("Invalid " + what + " '" + subject
              + "': '>' is only allowed as the last token");
        }
      } else {
        for (int i = start; i < end; i++) {
          char c = subject.charAt(i);
          if (isPlainTokenChar(c)) {
            continue;
          }
          @Nullable String problem = c == '*' || c == '>' ? "wildcard '" + c + "' inside a token"
              : tokenCharProblem(c);
          if (problem != null) {
            throw new InvalidSubjectException("Invalid " + what + " '" + subject + "': "
                + problem + " at index " + i);
          }
        }
      }
      start = end + 1;
    }
    return subject;
  }

  /** Printable ASCII other than '.', '*' and '>': the common case, decided without a lookup. */
  private static boolean isPlainTokenChar(char c) {
    return c > ' ' && c < 0x7F && c != '.' && c != '*' && c != '>';
  }

  private static @Nullable String tokenCharProblem(char c) {
    if (c == '.') {
      return "'.'";
    }
    if (c == '*' || c == '>') {
      return "wildcard '" + c + "'";
    }
    if (Character.isWhitespace(c) || Character.isISOControl(c)) {
      return "whitespace or control character U+" + String.format("%04X", (int) c);
    }
    return null;
  }

  @Override
  public String toString() {
    return "Subjects{" + namespace + "}";
  }
}
