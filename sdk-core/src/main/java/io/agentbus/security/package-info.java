/**
 * Signed messages: every message an agent sends, replies included, signed with its NKey
 * (Ed25519), and verified against trusted public keys before a handler, the monitor or a waiting
 * requester sees it. {@link io.agentbus.security.MessageSigning} is the interceptor; the scheme is
 * specified in {@code docs/wire-format.md}.
 */
@NullMarked
package io.agentbus.security;

import org.jspecify.annotations.NullMarked;
