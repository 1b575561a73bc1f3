package io.agentbus.interop;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What the Java side of a scenario sent and received, for its one printed line. Thread-safe. */
final class Traffic {
  private final List<String> sent = new ArrayList<>();
  private final List<String> received = new ArrayList<>();

  static String describe(AgentMessage m) {
    return m.messageType().wireName() + " " + m.fromAgent() + "->"
        + (m.toAgent() == null ? "*" : m.toAgent());
  }

  synchronized void sent(String what) {
    sent.add(what);
  }

  synchronized void sent(AgentMessage m) {
    sent.add(describe(m));
  }

  synchronized void received(String what) {
    received.add(what);
  }

  synchronized void received(AgentMessage m) {
    received.add(describe(m));
  }

  synchronized String sent() {
    return compact(sent);
  }

  synchronized String received() {
    return compact(received);
  }

  /**
   * Messages ({@code "type from->to"}) grouped by route, {@code "from->to [type, type x2]"}, or
   * {@code "[all 11 types]"}; other entries as they are. The Python side prints the same way.
   */
  static String compact(List<String> entries) {
    Map<String, Map<String, Integer>> routes = new LinkedHashMap<>();
    List<Object> out = new ArrayList<>();
    for (String e : entries) {
      Matcher m = MESSAGE.matcher(e);
      if (!m.matches()) {
        out.add(e);
        continue;
      }
      Map<String, Integer> types = routes.get(m.group(2));
      if (types == null) {
        types = new LinkedHashMap<>();
        routes.put(m.group(2), types);
        out.add(List.of(m.group(2)));
      }
      types.merge(m.group(1), 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    for (Object o : out) {
      if (o instanceof String s) {
        parts.add(s);
        continue;
      }
      String route = ((List<?>) o).get(0).toString();
      Map<String, Integer> types = routes.get(route);
      String listed = types.keySet().containsAll(ALL_TYPES) && types.size() == ALL_TYPES.size()
          && types.values().stream().allMatch(n -> n == 1) ? "all 11 types"
          : types.entrySet().stream()
              .map(t -> t.getKey() + (t.getValue() == 1 ? "" : " x" + t.getValue()))
              .collect(Collectors.joining(", "));
      parts.add(route + " [" + listed + "]");
    }
    return parts.isEmpty() ? "-" : String.join("; ", parts);
  }

  private static final Pattern MESSAGE = Pattern.compile("(\\S+) (\\S+->\\S+)");
  private static final List<String> ALL_TYPES = MessageType.values().stream()
      .map(MessageType::wireName).toList();
}
