/**
 * A harness for testing agents together: {@link io.agentbus.test.agents.AgentTestKit} wires the
 * in-memory transport, a bus, the agents under test and an orchestrator monitor on one virtual
 * clock, and waits (for a pending request, a live agent, a reply) that fail after a default
 * timeout instead of hanging. See {@code docs/testing.md}.
 */
@NullMarked
package io.agentbus.test.agents;

import org.jspecify.annotations.NullMarked;
