package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.security.MessageSigning;
import io.agentbus.security.NKeys;
import io.agentbus.security.SigningMode;
import io.agentbus.spi.Ed25519Provider;
import io.agentbus.spi.Providers;
import io.agentbus.test.Ed25519Contract;
import org.junit.jupiter.api.Test;

/** jnats' NKey against the Ed25519 contract, and chosen over the JDK's with this module. */
class JnatsEd25519Test extends Ed25519Contract {
  @Override
  protected Ed25519Provider provider() {
    return new JnatsEd25519();
  }

  @Test
  void isChosenOverTheJdkWhenThisModuleIsOnTheClasspath() {
    assertThat(Providers.ed25519()).isInstanceOf(JnatsEd25519.class);
    assertThat(Providers.ed25519("jdk").name()).isEqualTo("jdk");
    assertThat(MessageSigning.builder().mode(SigningMode.REQUIRE)
        .seed(NKeys.encodeSeed(new byte[32])).build().ed25519().name()).isEqualTo("jnats");
  }

  @Test
  void anUnknownNameListsThoseFound() {
    assertThatThrownBy(() -> Providers.ed25519("sodium"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.security.ed25519=sodium")
        .hasMessageContaining("jdk").hasMessageContaining("jnats");
  }
}
