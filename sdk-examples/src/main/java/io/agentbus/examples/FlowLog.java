package io.agentbus.examples;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Prints the demo's flow, one line per step, with the seconds since the start. Thread-safe. */
final class FlowLog {
  private final PrintStream out;
  private final long startNanos = System.nanoTime();

  FlowLog(PrintStream out) {
    this.out = out;
  }

  /** A line without a timestamp (headers, summaries). */
  synchronized void plain(String line) {
    out.println(line);
    out.flush();
  }

  /** {@code [  1.23s] who  what} */
  synchronized void step(String who, String what) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    out.printf("[%6.2fs] %-17s %s%n", seconds, who, what);
    out.flush();
  }

  /** Renders message content as JSON, the way it travels. */
  static String json(@Nullable Object value) {
    StringBuilder sb = new StringBuilder();
    render(value, sb);
    return sb.toString();
  }

  private static void render(@Nullable Object v, StringBuilder sb) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        render(String.valueOf(e.getKey()), sb);
        sb.append(": ");
        render(e.getValue(), sb);
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        render(l.get(i), sb);
      }
      sb.append(']');
    } else {
      sb.append(v);
    }
  }
}
