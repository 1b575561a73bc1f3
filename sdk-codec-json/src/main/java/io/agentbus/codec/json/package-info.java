/**
 * The JSON codec: {@link io.agentbus.codec.json.JsonCodec}, byte-compatible with the seed
 * orchestrator's Python agents.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.codec.json;

import org.jspecify.annotations.NullMarked;
