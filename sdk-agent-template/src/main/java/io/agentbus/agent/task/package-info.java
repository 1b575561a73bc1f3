/**
 * Long-running tasks between agents over the seed's messages: a requester {@linkplain
 * io.agentbus.agent.task.Tasks#assign assigns} a task and holds a {@link
 * io.agentbus.agent.task.TaskHandle}; the assignee's {@link io.agentbus.agent.task.TaskHandler}
 * reports progress, may ask for input, and completes or fails. States follow A2A ({@link
 * io.agentbus.agent.task.TaskState}); the wire messages are described in {@code
 * docs/wire-format.md} (section <em>Tasks</em>) and {@code docs/patterns.md}.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.agent.task;

import org.jspecify.annotations.NullMarked;
