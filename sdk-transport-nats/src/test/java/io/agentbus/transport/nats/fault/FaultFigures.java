package io.agentbus.transport.nats.fault;

import java.util.LinkedHashMap;
import java.util.Map;

/** The figures a fault test proves, printed so that a reader of the build log sees them. */
final class FaultFigures {
  private final String test;
  private final Map<String, Object> figures = new LinkedHashMap<>();

  FaultFigures(String test) {
    this.test = test;
  }

  FaultFigures put(String name, Object value) {
    figures.put(name, value);
    return this;
  }

  /** Prints one line to standard output (kept in the surefire report) and returns it. */
  String print() {
    StringBuilder sb = new StringBuilder("FAULT-FIGURES ").append(test).append(':');
    figures.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    String line = sb.toString();
    System.out.println(line);
    return line;
  }

  @Override
  public String toString() {
    return figures.toString();
  }
}
