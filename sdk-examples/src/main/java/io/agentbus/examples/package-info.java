/**
 * The seed orchestrator's "Phase 1.1 Communication Flow" as a runnable program: {@link
 * io.agentbus.examples.Phase11Demo}.
 */
@NullMarked
package io.agentbus.examples;

import org.jspecify.annotations.NullMarked;
