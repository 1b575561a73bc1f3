package io.agentbus.transport.inmemory;

import io.agentbus.Subjects;
import io.agentbus.spi.TransportMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The subscription index of one {@link InMemoryServer}: a token trie like the NATS server's
 * sublist, plus a cache from published subject to its {@link Match}.
 *
 * <p>Publishing is the hot path: a cache hit is one lock-free map lookup and no allocation. A miss
 * validates the subject, walks the trie (lock-free: children are concurrent maps, entries are
 * immutable arrays) and caches the result. Subscribing and unsubscribing are rare: they serialise
 * on a lock, change the trie, then replace the cache with an empty one. A publisher that grabbed
 * the old cache may still read a stale match, but only if its publish raced with the change; any
 * publish that starts after {@link #add} returns sees the new subscription, because the trie
 * change happens-before the volatile write of the new cache.
 */
final class Routes {
  /** Beyond this many cached subjects the cache is cleared; hot subjects come straight back. */
  static final int CACHE_LIMIT = 4096;
  /**
   * The first token of reply subjects, as in NATS. They are used once; caching them would only
   * churn the cache.
   */
  static final String INBOX = "_INBOX";
  static final String INBOX_PREFIX = INBOX + ".";

  private final Object writeLock = new Object();
  private final Node root = new Node();
  private volatile ConcurrentHashMap<String, Match> cache = new ConcurrentHashMap<>();
  private volatile int subscriptions;

  /**
   * The receivers interested in {@code subject}.
   *
   * @throws io.agentbus.InvalidSubjectException if the subject is not a valid publish subject
   */
  Match match(String subject) {
    ConcurrentHashMap<String, Match> c = cache;
    Match m = c.get(subject);
    if (m != null) {
      return m; // only valid subjects are ever cached
    }
    Subjects.requireSubject("subject", subject);
    m = compute(subject);
    if (!subject.startsWith(INBOX_PREFIX)) {
      if (c.size() >= CACHE_LIMIT) {
        c.clear();
      }
      c.put(subject, m);
    }
    return m;
  }

  /** Adds a receiver for a valid pattern; the next publish sees it. */
  void add(String pattern, @Nullable String queue, Receiver receiver) {
    synchronized (writeLock) {
      String[] tokens = tokens(pattern);
      Node n = root;
      int last = tokens.length - 1;
      for (int i = 0; i <= last; i++) {
        String t = tokens[i];
        if (i == last && t.equals(">")) {
          n.gt = n.gt.with(queue, receiver);
          break;
        }
        n = n.child(t);
        if (i == last) {
          n.here = n.here.with(queue, receiver);
        }
      }
      if (!receiver.isInternal()) {
        subscriptions++;
      }
      cache = new ConcurrentHashMap<>();
    }
  }

  /** Removes a receiver added with the same pattern and queue; no-op when absent. */
  void remove(String pattern, @Nullable String queue, Receiver receiver) {
    synchronized (writeLock) {
      String[] tokens = tokens(pattern);
      Node[] path = new Node[tokens.length + 1];
      path[0] = root;
      Node n = root;
      int last = tokens.length - 1;
      boolean removed = false;
      int depth = 0;
      for (int i = 0; i <= last; i++) {
        String t = tokens[i];
        if (i == last && t.equals(">")) {
          Entries e = n.gt.without(queue, receiver);
          removed = e != n.gt;
          n.gt = e;
          break;
        }
        Node next = t.equals("*") ? n.star : n.children.get(t);
        if (next == null) {
          return;
        }
        n = next;
        path[++depth] = n;
        if (i == last) {
          Entries e = n.here.without(queue, receiver);
          removed = e != n.here;
          n.here = e;
        }
      }
      if (!removed) {
        return;
      }
      // prune nodes left empty, deepest first, so unsubscribed ids do not accumulate
      for (int d = depth; d > 0; d--) {
        Node child = path[d];
        if (!child.isEmpty()) {
          break;
        }
        Node parent = path[d - 1];
        String t = tokens[d - 1];
        if (t.equals("*")) {
          parent.star = null;
        } else {
          parent.children.remove(t, child);
        }
      }
      if (!receiver.isInternal()) {
        subscriptions--;
      }
      cache = new ConcurrentHashMap<>();
    }
  }

  int subscriptionCount() {
    return subscriptions;
  }

  /** True when nothing but reply inboxes is routed; for leak tests. */
  boolean isEmptyApartFromInboxes() {
    synchronized (writeLock) {
      return root.here.isEmpty() && root.gt.isEmpty() && root.star == null
          && root.children.keySet().stream().allMatch(INBOX::equals);
    }
  }

  /** Cached subjects; for tests of the cache. */
  int cachedSubjects() {
    return cache.size();
  }

  private Match compute(String subject) {
    Collector out = new Collector();
    collect(root, tokens(subject), 0, out);
    return out.toMatch();
  }

  private static void collect(Node n, String[] tokens, int i, Collector out) {
    if (i == tokens.length) {
      out.add(n.here);
      return;
    }
    out.add(n.gt); // '>' here matches the one or more tokens left
    Node child = n.children.get(tokens[i]);
    if (child != null) {
      collect(child, tokens, i + 1, out);
    }
    Node star = n.star;
    if (star != null) {
      collect(star, tokens, i + 1, out);
    }
  }

  private static String[] tokens(String s) {
    int count = 1;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '.') {
        count++;
      }
    }
    String[] out = new String[count];
    int start = 0;
    for (int k = 0; k < count; k++) {
      int end = s.indexOf('.', start);
      if (end < 0) {
        end = s.length();
      }
      out[k] = s.substring(start, end);
      start = end + 1;
    }
    return out;
  }

  /** One trie level. Readers walk it without locks; only {@link Routes}' writers mutate it. */
  private static final class Node {
    final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
    volatile @Nullable Node star;
    /** Subscriptions whose pattern ends at this node. */
    volatile Entries here = Entries.EMPTY;
    /** Subscriptions whose pattern continues with a final {@code >} after this node. */
    volatile Entries gt = Entries.EMPTY;

    Node child(String token) {
      if (token.equals("*")) {
        Node s = star;
        if (s == null) {
          s = new Node();
          star = s;
        }
        return s;
      }
      return children.computeIfAbsent(token, k -> new Node());
    }

    boolean isEmpty() {
      return here.isEmpty() && gt.isEmpty() && star == null && children.isEmpty();
    }
  }

  /** The receivers at one trie position: immutable, replaced on change. */
  private static final class Entries {
    static final Entries EMPTY = new Entries(new Receiver[0], Map.of());

    final Receiver[] plain;
    final Map<String, Receiver[]> groups;

    Entries(Receiver[] plain, Map<String, Receiver[]> groups) {
      this.plain = plain;
      this.groups = groups;
    }

    boolean isEmpty() {
      return plain.length == 0 && groups.isEmpty();
    }

    Entries with(@Nullable String queue, Receiver r) {
      if (queue == null) {
        Receiver[] p = Arrays.copyOf(plain, plain.length + 1);
        p[plain.length] = r;
        return new Entries(p, groups);
      }
      Map<String, Receiver[]> g = new LinkedHashMap<>(groups);
      Receiver[] members = g.getOrDefault(queue, new Receiver[0]);
      Receiver[] m = Arrays.copyOf(members, members.length + 1);
      m[members.length] = r;
      g.put(queue, m);
      return new Entries(plain, g);
    }

    Entries without(@Nullable String queue, Receiver r) {
      if (queue == null) {
        Receiver[] p = removed(plain, r);
        return p == plain ? this : new Entries(p, groups);
      }
      Receiver[] members = groups.get(queue);
      if (members == null) {
        return this;
      }
      Receiver[] m = removed(members, r);
      if (m == members) {
        return this;
      }
      Map<String, Receiver[]> g = new LinkedHashMap<>(groups);
      if (m.length == 0) {
        g.remove(queue);
      } else {
        g.put(queue, m);
      }
      return new Entries(plain, g.isEmpty() ? Map.of() : g);
    }

    private static Receiver[] removed(Receiver[] a, Receiver r) {
      for (int i = 0; i < a.length; i++) {
        if (a[i] == r) {
          Receiver[] out = new Receiver[a.length - 1];
          System.arraycopy(a, 0, out, 0, i);
          System.arraycopy(a, i + 1, out, i, a.length - i - 1);
          return out;
        }
      }
      return a;
    }
  }

  /** Gathers entries along the walk; queue members of the same name merge, as in NATS. */
  private static final class Collector {
    final List<Receiver> plain = new ArrayList<>();
    final Map<String, List<Receiver>> groups = new LinkedHashMap<>();

    void add(Entries e) {
      if (e.isEmpty()) {
        return;
      }
      plain.addAll(Arrays.asList(e.plain));
      e.groups.forEach(
          (name, members) -> groups.computeIfAbsent(name, k -> new ArrayList<>())
              .addAll(Arrays.asList(members)));
    }

    Match toMatch() {
      if (plain.isEmpty() && groups.isEmpty()) {
        return Match.NONE;
      }
      Receiver[][] g = new Receiver[groups.size()][];
      int i = 0;
      for (List<Receiver> members : groups.values()) {
        g[i++] = members.toArray(new Receiver[0]);
      }
      return new Match(plain.toArray(new Receiver[0]), g);
    }
  }

  /** Who gets a message published to one subject. Immutable. */
  static final class Match {
    static final Match NONE = new Match(new Receiver[0], new Receiver[0][]);

    private final Receiver[] plain;
    private final Receiver[][] groups;

    Match(Receiver[] plain, Receiver[][] groups) {
      this.plain = plain;
      this.groups = groups;
    }

    boolean isEmpty() {
      return plain.length == 0 && groups.length == 0;
    }

    /**
     * Hands {@code message} to every plain receiver and to one member of each queue group, picked
     * at random as the NATS server does (a member that no longer takes messages is skipped for
     * the next one, so a message is not lost to a subscription that was just closed).
     *
     * @return how many receivers took or dropped it (zero means nobody is listening)
     */
    int deliver(TransportMessage message) {
      int reached = 0;
      for (Receiver r : plain) {
        if (r.offer(message) != Receiver.REJECTED) {
          reached++;
        }
      }
      for (Receiver[] members : groups) {
        int n = members.length;
        int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) {
          int idx = start + k;
          if (idx >= n) {
            idx -= n;
          }
          if (members[idx].offer(message) != Receiver.REJECTED) {
            reached++;
            break;
          }
        }
      }
      return reached;
    }
  }
}
