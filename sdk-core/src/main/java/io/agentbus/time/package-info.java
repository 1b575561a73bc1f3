@NullMarked
package io.agentbus.time;

import org.jspecify.annotations.NullMarked;
