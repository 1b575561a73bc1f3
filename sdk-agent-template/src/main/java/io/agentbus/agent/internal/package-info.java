/** Implementation details of sdk-agent-template; not API, may change without notice. */
@NullMarked
package io.agentbus.agent.internal;

import org.jspecify.annotations.NullMarked;
