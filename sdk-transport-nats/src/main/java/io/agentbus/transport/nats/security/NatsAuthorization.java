package io.agentbus.transport.nats.security;

import io.agentbus.ConfigurationException;
import io.agentbus.Subjects;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.nats.client.NKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Least-privilege NATS permissions derived from the subject hierarchy: from the {@link
 * AgentRole}s of a deployment, the nats-server {@code authorization { users = [...] } } block
 * with one NKey user per identity, and a seed file per identity. Each identity may
 *
 * <ul>
 *   <li>subscribe to its agents' direct subjects ({@code <ns>.agent.<id>.*}), its teams, the
 *       queues it works, the broadcasts it listens to, and its own request inboxes ({@code
 *       _INBOX_<public key>.>}, the default {@link NatsTransportConfig#inboxPrefix()} of a
 *       connection with that key) &mdash; nobody else's replies &mdash; and the discovery
 *       requests its agents answer ({@code $SRV.PING}, {@code $SRV.INFO.<id>}, ...);
 *   <li>publish to the agents it talks to, its teams, the queues it publishes to, the broadcasts
 *       it sends, its own {@code heartbeat} and {@code status_update}, the dead-letter subject,
 *       the duplicate-id check of its agents ({@code $SRV.PING.<id>}), and its own inboxes
 *       (where a draining transport sends itself a marker);
 *   <li>answer requests through {@code allow_responses} (one reply per request received), with no
 *       publish right on any inbox.
 * </ul>
 *
 * <p>Run it from the command line (another tool may call {@link #main} or {@link #run}):
 *
 * <pre>
 * java -cp ... io.agentbus.transport.nats.security.NatsAuthorization roles.properties out/
 * </pre>
 *
 * <p>The roles file is a properties file: {@code namespace} (default {@code orchestrator}),
 * {@code identities} (a comma-separated list) and for each identity {@code
 * identity.<name>.agents}, {@code .teams}, {@code .works}, {@code .publishes}, {@code .sends},
 * {@code .listens}, {@code .talks-to}, {@code .replays} and {@code .directory}. It writes
 * {@code authorization.conf} (to {@code include} in the server's configuration), {@code <name>.nk} (the identity's seed, readable only by its
 * owner; kept when it exists already, so regenerating does not rotate keys) and {@code
 * <name>.env} (the agent's {@code AGENTBUS_NATS_NKEY_SEED_FILE} and {@code
 * AGENTBUS_NATS_INBOX_PREFIX}). Immutable and thread-safe once made.
 */
public final class NatsAuthorization {
  private static final List<String> ROLE_KEYS =
      List.of("agents", "teams", "works", "publishes", "sends", "listens", "talks-to",
          "replays", "directory");
  /** What every agent sends whatever its role: the lifecycle broadcasts. */
  private static final List<String> ALWAYS_SENT = List.of("heartbeat", "status_update");
  private static final List<String> DISCOVERY_VERBS = List.of("PING", "INFO", "STATS");
  /** The one consumer of a durable queue's stream, shared by its workers (sdk-core's name). */
  private static final String QUEUE_CONSUMER = "workers";

  private final String namespace;
  private final Map<String, AgentRole> roles;
  private final Map<String, NKey> keys;

  private NatsAuthorization(String namespace, Map<String, AgentRole> roles,
      Map<String, NKey> keys) {
    this.namespace = namespace;
    this.roles = roles;
    this.keys = keys;
  }

  /**
   * The permissions of {@code roles} under {@code namespace}, each identity with the seed in
   * {@code keyDir/<identity>.nk} if that file exists, or a new key (written by {@link #writeTo}).
   *
   * @throws ConfigurationException if two roles share an identity or an agent, or a seed file is
   *     not a valid NKey user seed
   */
  public static NatsAuthorization derive(String namespace, List<AgentRole> roles, Path keyDir) {
    Subjects.of(namespace);
    Map<String, AgentRole> byIdentity = new LinkedHashMap<>();
    Map<String, String> agentOwner = new LinkedHashMap<>();
    Map<String, NKey> keys = new LinkedHashMap<>();
    for (AgentRole r : roles) {
      if (byIdentity.put(r.identity(), r) != null) {
        throw new ConfigurationException("The identity '" + r.identity() + "' is declared twice");
      }
      for (String agent : r.agents()) {
        String other = agentOwner.put(agent, r.identity());
        if (other != null) {
          throw new ConfigurationException("The agent '" + agent + "' is served by both '"
              + other + "' and '" + r.identity() + "'; an agent id has one identity");
        }
      }
      keys.put(r.identity(), keyOf(keyDir.resolve(r.identity() + ".nk")));
    }
    return new NatsAuthorization(namespace, byIdentity, keys);
  }

  /**
   * Reads roles from a roles file as described in the class comment.
   *
   * @throws ConfigurationException naming the key that is missing, unknown or invalid
   */
  public static List<AgentRole> readRoles(Properties p) {
    List<String> identities = list(p.getProperty("identities"));
    if (identities.isEmpty()) {
      throw new ConfigurationException("The roles file lists no 'identities' "
          + "(identities = architect, parser, ...)");
    }
    Set<String> known = new TreeSet<>(List.of("namespace", "identities"));
    List<AgentRole> roles = new ArrayList<>();
    for (String id : identities) {
      AgentRole.Builder b = AgentRole.builder(id);
      String prefix = "identity." + id + ".";
      ROLE_KEYS.forEach(k -> known.add(prefix + k));
      b.agents(list(p.getProperty(prefix + "agents")))
          .teams(list(p.getProperty(prefix + "teams")))
          .works(list(p.getProperty(prefix + "works")))
          .publishes(list(p.getProperty(prefix + "publishes")))
          .sends(list(p.getProperty(prefix + "sends")))
          .listens(list(p.getProperty(prefix + "listens")))
          .talksTo(list(p.getProperty(prefix + "talks-to")))
          .replays(list(p.getProperty(prefix + "replays")))
          .directory(Boolean.parseBoolean(p.getProperty(prefix + "directory", "false").trim()));
      roles.add(b.build());
    }
    for (String name : p.stringPropertyNames()) {
      if (!known.contains(name)) {
        throw new ConfigurationException("Unknown key '" + name + "' in the roles file; the keys "
            + "are namespace, identities and identity.<name>." + String.join("|", ROLE_KEYS)
            + " for a listed identity");
      }
    }
    return roles;
  }

  /** The namespace of the subjects. */
  public String namespace() {
    return namespace;
  }

  /** The identities, in declaration order. */
  public Set<String> identities() {
    return roles.keySet();
  }

  /** The public NKey ({@code U...}) of {@code identity}. */
  public String publicKey(String identity) {
    try {
      return new String(key(identity).getPublicKey());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The seed ({@code SU...}) of {@code identity}: a secret. */
  public char[] seed(String identity) {
    return key(identity).getSeed();
  }

  /** The inbox prefix the server lets {@code identity} (and only it) read. */
  public String inboxPrefix(String identity) {
    return NatsTransportConfig.SHARED_INBOX_PREFIX + "_" + publicKey(identity);
  }

  /**
   * The connection name for {@code identity}, naming the agents it serves, so that the server's
   * monitoring ({@code /connz}) and its logs say which agents a connection is:
   * {@code agentbus-<identity>[<agent>,...]}.
   */
  public String connectionName(String identity) {
    return "agentbus-" + identity + "[" + String.join(",", role(identity).agents()) + "]";
  }

  /** The subjects {@code identity} may subscribe to. */
  public List<String> subscribeAllow(String identity) {
    AgentRole r = role(identity);
    Set<String> s = new LinkedHashSet<>();
    r.agents().forEach(a -> s.add(namespace + ".agent." + a + ".*"));
    r.teams().forEach(t -> s.add(namespace + ".team." + t + ".*"));
    r.works().forEach(q -> s.add(namespace + ".queue." + q));
    r.listens().forEach(t -> s.add(namespace + ".broadcast." + t));
    s.add(inboxPrefix(identity) + ".>");
    // discovery (the NATS micro service protocol): each agent answers $SRV.PING|INFO|STATS,
    // alone, with its id, and with its id and instance
    DISCOVERY_VERBS.forEach(v -> s.add("$SRV." + v));
    r.agents().forEach(a -> {
      s.add("$SRV.*." + a);
      s.add("$SRV.*." + a + ".*");
    });
    return List.copyOf(s);
  }

  /** The subjects {@code identity} may publish to (replies go through allow_responses). */
  public List<String> publishAllow(String identity) {
    AgentRole r = role(identity);
    Set<String> s = new LinkedHashSet<>();
    r.talksTo().forEach(a -> s.add(namespace + ".agent." + a + ".*"));
    r.teams().forEach(t -> s.add(namespace + ".team." + t + ".*"));
    r.publishes().forEach(q -> s.add(namespace + ".queue." + q));
    // a durable queue lives in a JetStream stream: whoever works or publishes to it declares the
    // stream, and the dead-letter stream a bus with durable queues keeps; a worker also binds the
    // queue's one consumer, pulls from it and acks its items (the stream's answers come back on
    // the identity's own inbox)
    Set<String> queues = new LinkedHashSet<>(r.works());
    queues.addAll(r.publishes());
    queues.forEach(q -> s.addAll(streamDeclaration(queueStream(q))));
    r.works().forEach(q -> s.addAll(queueConsumer(queueStream(q))));
    if (!queues.isEmpty()) {
      s.addAll(streamDeclaration(streamName("deadletter")));
    }
    // a replay reads a kept history through a short-lived consumer of its own (ack none)
    r.replays().forEach(h -> {
      String stream = streamName(h);
      s.addAll(streamDeclaration(stream));
      s.addAll(List.of("$JS.API.CONSUMER.CREATE." + stream,
          "$JS.API.CONSUMER.CREATE." + stream + ".>",
          "$JS.API.CONSUMER.MSG.NEXT." + stream + ".*",
          "$JS.API.CONSUMER.DELETE." + stream + ".*"));
    });
    if (r.sends().contains(AgentRole.ANY)) {
      s.add(namespace + ".broadcast.*");
    } else {
      ALWAYS_SENT.forEach(t -> s.add(namespace + ".broadcast." + t));
      r.sends().forEach(t -> s.add(namespace + ".broadcast." + t));
    }
    s.add(namespace + ".deadletter");
    // an agent asks $SRV.PING.<its id> at start, to find a live agent with the same id
    r.agents().forEach(a -> s.add("$SRV.PING." + a));
    if (r.directory()) {
      DISCOVERY_VERBS.forEach(v -> {
        s.add("$SRV." + v);
        s.add("$SRV." + v + ".*");
      });
    }
    // its own inboxes only, which nobody else reads: a draining transport sends itself a marker
    s.add(inboxPrefix(identity) + ".>");
    return List.copyOf(s);
  }

  /**
   * The JetStream stream of the durable queue {@code queue}, as AgentBus names it unless {@code
   * QueueOptions.streamName} says otherwise: {@code <namespace>_queue_<queue>}, each character a
   * stream name cannot hold made {@code _}.
   */
  public String queueStream(String queue) {
    return streamName("queue_" + queue);
  }

  private String streamName(String suffix) {
    String raw = namespace + "_" + suffix;
    StringBuilder b = new StringBuilder(raw.length());
    raw.chars().forEach(c -> b.append(Character.isLetterOrDigit(c) && c < 128 || c == '-'
        || c == '_' ? (char) c : '_'));
    return b.toString();
  }

  /** The JetStream API calls that look a stream up and create or update it. */
  private static List<String> streamDeclaration(String stream) {
    return List.of("$JS.API.STREAM.INFO." + stream, "$JS.API.STREAM.CREATE." + stream,
        "$JS.API.STREAM.UPDATE." + stream);
  }

  /**
   * The JetStream API calls of a durable queue's worker: create (or look up) the queue's consumer
   * ({@code workers}, in each form the server and jnats use), pull the next items, and ack, nak or
   * term each delivered item.
   */
  private static List<String> queueConsumer(String stream) {
    String consumer = stream + "." + QUEUE_CONSUMER;
    return List.of("$JS.API.CONSUMER.CREATE." + consumer,
        "$JS.API.CONSUMER.CREATE." + consumer + ".>",
        "$JS.API.CONSUMER.DURABLE.CREATE." + consumer,
        "$JS.API.CONSUMER.INFO." + consumer,
        "$JS.API.CONSUMER.MSG.NEXT." + consumer,
        "$JS.ACK." + consumer + ".>");
  }

  /** The nats-server {@code authorization} block, to include in the server's configuration. */
  public String serverConfig() {
    StringBuilder out = new StringBuilder();
    out.append("# Generated by AgentBus NatsAuthorization for namespace '").append(namespace)
        .append("'. Regenerate rather than edit.\n");
    out.append("authorization {\n  users = [\n");
    for (String id : identities()) {
      out.append("    # ").append(id).append(": agents ")
          .append(String.join(", ", role(id).agents())).append('\n');
      out.append("    { nkey: \"").append(publicKey(id)).append("\"\n");
      out.append("      permissions: {\n");
      out.append("        publish: { allow: ").append(quoted(publishAllow(id))).append(" }\n");
      out.append("        subscribe: { allow: ").append(quoted(subscribeAllow(id)))
          .append(" }\n");
      out.append("        allow_responses: true\n");
      out.append("      }\n    }\n");
    }
    out.append("  ]\n}\n");
    return out.toString();
  }

  /**
   * Writes {@code authorization.conf}, and per identity {@code <name>.nk} (owner-only, unless it
   * exists) and {@code <name>.env}, into {@code dir}.
   *
   * @return the files written
   */
  public List<Path> writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    Path conf = dir.resolve("authorization.conf");
    Files.writeString(conf, serverConfig(), StandardCharsets.UTF_8);
    written.add(conf);
    for (String id : identities()) {
      Path seed = dir.resolve(id + ".nk");
      if (!Files.exists(seed)) {
        Files.createFile(seed);
        ownerOnly(seed);
        Files.writeString(seed, new String(seed(id)) + "\n", StandardCharsets.US_ASCII);
        written.add(seed);
      }
      Path env = dir.resolve(id + ".env");
      Files.writeString(env, "# agents: " + String.join(", ", role(id).agents()) + "\n"
          + NatsTransportConfig.Key.NKEY_SEED_FILE.environmentVariable() + "="
          + seed.toAbsolutePath() + "\n"
          + NatsTransportConfig.Key.INBOX_PREFIX.environmentVariable() + "="
          + inboxPrefix(id) + "\n"
          + NatsTransportConfig.Key.CONNECTION_NAME.environmentVariable() + "="
          + connectionName(id) + "\n", StandardCharsets.UTF_8);
      written.add(env);
    }
    return written;
  }

  /**
   * The command: {@code NatsAuthorization <roles.properties> <output-dir>}.
   *
   * @return the process exit code: 0 done, 2 bad arguments or roles
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 2) {
      err.println("usage: NatsAuthorization <roles.properties> <output-dir>");
      return 2;
    }
    try {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
        p.load(in);
      }
      Path dir = Path.of(args[1]);
      NatsAuthorization auth = derive(p.getProperty("namespace", Subjects.DEFAULT_NAMESPACE)
          .trim(), readRoles(p), dir);
      for (Path f : auth.writeTo(dir)) {
        out.println("wrote " + f);
      }
      out.println("Add 'include authorization.conf' to the server's configuration, and give "
          + "each agent process the variables of its <identity>.env.");
      return 0;
    } catch (ConfigurationException | IOException e) {
      err.println("Could not generate the NATS authorization: " + e.getMessage());
      return 2;
    }
  }

  /** See {@link #run}. */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  private AgentRole role(String identity) {
    AgentRole r = roles.get(identity);
    if (r == null) {
      throw new IllegalArgumentException("No identity '" + identity + "'; the identities are "
          + identities());
    }
    return r;
  }

  private NKey key(String identity) {
    role(identity);
    return Objects.requireNonNull(keys.get(identity));
  }

  private static NKey keyOf(Path seedFile) {
    if (Files.exists(seedFile)) {
      try {
        String seed = Files.readString(seedFile, StandardCharsets.US_ASCII).trim();
        return NKey.fromSeed(seed.toCharArray());
      } catch (IOException | RuntimeException e) {
        throw new ConfigurationException(seedFile + " exists but holds no valid NKey user seed; "
            + "remove it to make a new key", e);
      }
    }
    try {
      return NKey.createUser(new SecureRandom());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Cannot create an NKey: " + e, e);
    }
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's permissions protect the seed
    }
  }

  private static String quoted(List<String> subjects) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < subjects.size(); i++) {
      b.append(i == 0 ? "" : ", ").append('"').append(subjects.get(i)).append('"');
    }
    return b.append(']').toString();
  }

  private static List<String> list(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }
}
