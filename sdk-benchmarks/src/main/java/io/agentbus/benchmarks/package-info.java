/**
 * JMH benchmarks of AgentBus, each measured beside its baseline in the same run: raw jnats for the
 * NATS transport, a bare JDK-queue ping-pong for in-process request/reply. {@link
 * io.agentbus.benchmarks.BenchmarkMain} runs a profile and prints the summary table; {@code
 * bench/run.sh} at the repository root builds, starts a {@code nats-server} and calls it.
 *
 * <p>Not an API: nothing here is meant to be used by applications.
 */
@NullMarked
package io.agentbus.benchmarks;

import org.jspecify.annotations.NullMarked;
