/**
 * The Protocol Buffers codec for {@link io.agentbus.AgentMessage}: {@link
 * io.agentbus.codec.protobuf.ProtobufCodec}. Its schema, {@code agentbus/v1/agent_message.proto},
 * ships in this module's jar for peers in other languages.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.codec.protobuf;

import org.jspecify.annotations.NullMarked;
