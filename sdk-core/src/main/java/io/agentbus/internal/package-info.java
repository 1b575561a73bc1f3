@NullMarked
package io.agentbus.internal;

import org.jspecify.annotations.NullMarked;
