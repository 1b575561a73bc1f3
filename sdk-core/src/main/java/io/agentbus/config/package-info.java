/**
 * Configuration shared by every module: the one grammar of values ({@link
 * io.agentbus.config.ConfigValues}) and the resolved settings a transport or codec is created
 * from ({@link io.agentbus.config.Settings}).
 */
@NullMarked
package io.agentbus.config;

import org.jspecify.annotations.NullMarked;
