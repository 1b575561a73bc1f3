/**
 * The orchestrator's view of its agents: {@link io.agentbus.agent.monitor.OrchestratorMonitor}
 * tracks heartbeats and status updates, tells alive from dead, and hands failures and blockers to
 * pluggable handlers.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.agent.monitor;

import org.jspecify.annotations.NullMarked;
