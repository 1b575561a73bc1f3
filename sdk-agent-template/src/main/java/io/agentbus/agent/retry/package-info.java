/**
 * Retry and fallback for requests: {@link io.agentbus.agent.retry.RetryingRequests} retries a
 * request on no responders and timeouts (not on a responder's error unless asked), with backoff
 * and an overall deadline, then falls back to what the caller provides.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.agent.retry;

import org.jspecify.annotations.NullMarked;
