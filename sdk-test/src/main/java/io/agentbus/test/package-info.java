/**
 * The AgentBus test kit: contract suites every transport and codec must pass, and virtual time
 * for tests of heartbeats, timeouts and dead-agent detection.
 */
@NullMarked
package io.agentbus.test;

import org.jspecify.annotations.NullMarked;
