package io.agentbus.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * What a command reads and writes besides the bus: the environment its configuration comes from,
 * standard input (message content) and the two output streams. Tests pass their own.
 */
record CliIo(Map<String, String> environment, InputStream in, PrintWriter out, PrintWriter err) {}
