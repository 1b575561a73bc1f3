@NullMarked
package io.agentbus.spi;

import org.jspecify.annotations.NullMarked;
