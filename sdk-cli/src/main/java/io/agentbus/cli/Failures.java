package io.agentbus.cli;

import io.agentbus.CodecException;
import io.agentbus.ConfigurationException;
import io.agentbus.NoRespondersException;
import io.agentbus.PermissionDeniedException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.agent.config.AgentBusConfig;
import java.util.Locale;

/** Turns what the SDK throws into one line the user can act on, with its exit code. */
final class Failures {
  private Failures() {}

  /** A failure to connect: which server, and what to check. */
  static CliException connecting(AgentBusConfig config, RuntimeException e) {
    String url = config.settings().string("agentbus.nats.url", "NATS_URL", "nats://localhost:4222");
    String text = describe(e).toLowerCase(Locale.ROOT);
    if (isPermission(text)) {
      return new CliException(ExitCode.PERMISSION_DENIED, "Permission denied by the NATS server at "
          + url + " (" + firstLine(e) + "): check AGENTBUS_NATS_USER/PASSWORD, "
          + "AGENTBUS_NATS_TOKEN, AGENTBUS_NATS_CREDS_FILE or AGENTBUS_NATS_NKEY_SEED.", e);
    }
    return new CliException(ExitCode.NO_SERVER, "No NATS server reachable at " + url
        + ": start one (nats-server -js) or point NATS_URL or --server at it (-v for details).",
        e);
  }

  /** Any other failure of a command. */
  static CliException translate(RuntimeException e) {
    if (e instanceof CliException c) {
      return c;
    }
    if (e instanceof PermissionDeniedException p) {
      return new CliException(ExitCode.PERMISSION_DENIED, "Permission denied: the NATS server "
          + "refused to let this user " + p.operation().name().toLowerCase(Locale.ROOT) + " to '"
          + p.subject() + "': grant it in the server's authorization block or use another user.",
          e);
    }
    if (e instanceof NoRespondersException n) {
      return new CliException(ExitCode.NOT_FOUND, "No agent is listening on " + n.subject()
          + ": check the agent id with 'agentbus agents' and the namespace (--namespace).", e);
    }
    if (e instanceof RequestTimeoutException t) {
      return new CliException(ExitCode.TIMEOUT, "No reply on " + t.subject() + " within "
          + Durations.format(t.timeout()) + ": the agent may be busy or stuck; raise --timeout "
          + "or look at it with 'agentbus tail'.", e);
    }
    if (e instanceof ConfigurationException || e instanceof CodecException
        || e instanceof IllegalArgumentException) {
      return new CliException(ExitCode.INVALID_INPUT, firstLine(e), e);
    }
    String text = describe(e).toLowerCase(Locale.ROOT);
    if (isPermission(text)) {
      return new CliException(ExitCode.PERMISSION_DENIED, "Permission denied: " + firstLine(e)
          + " (the NATS user lacks the permission; check the server's authorization block).", e);
    }
    return new CliException(ExitCode.FAILED, firstLine(e), e);
  }

  private static boolean isPermission(String text) {
    return text.contains("authorization violation") || text.contains("permissions violation")
        || text.contains("authentication") || text.contains("user authentication expired");
  }

  /** The messages of {@code e} and its causes, for classification. */
  private static String describe(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
      if (t.getCause() == t) {
        break;
      }
    }
    return b.toString();
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
