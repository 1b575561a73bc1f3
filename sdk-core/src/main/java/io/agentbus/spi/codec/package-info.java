/**
 * Helpers for {@link io.agentbus.spi.Codec} implementations: a supported, public API for codec
 * authors, used by AgentBus's own JSON and Protobuf codecs. Not meant for application code.
 *
 * <ul>
 *   <li>{@link io.agentbus.spi.codec.Content}: builds and seals the immutable content trees an
 *       {@link io.agentbus.AgentMessage} holds, so that a decoder can hand its tree to {@link
 *       io.agentbus.AgentMessage.Builder#adoptContent} without a second copy.
 *   <li>{@link io.agentbus.spi.codec.RecentStrings}: a per-thread table that lets a decoder reuse
 *       the {@code String} of a short token it decoded recently (agent ids, keys).
 *   <li>{@link io.agentbus.spi.codec.ScratchBuffer}: a per-thread byte buffer for encoders.
 * </ul>
 *
 * <p>These follow the SPI's compatibility rule: methods may be added; existing ones change only in
 * a release that says so.
 */
@NullMarked
package io.agentbus.spi.codec;

import org.jspecify.annotations.NullMarked;
