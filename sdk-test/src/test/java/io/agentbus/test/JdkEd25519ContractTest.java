package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.security.JdkEd25519;
import io.agentbus.security.MessageSigning;
import io.agentbus.security.NKeys;
import io.agentbus.security.SigningMode;
import io.agentbus.spi.Ed25519Provider;
import io.agentbus.spi.Providers;
import org.junit.jupiter.api.Test;

/** The JDK's Ed25519 against the contract, and chosen where no faster one is on the classpath. */
class JdkEd25519ContractTest extends Ed25519Contract {
  @Override
  protected Ed25519Provider provider() {
    return JdkEd25519.INSTANCE;
  }

  @Test
  void isTheDefaultWithoutJnatsOnTheClasspath() {
    assertThat(Providers.ed25519().name()).isEqualTo("jdk");
    assertThat(Providers.ed25519("JDK")).isInstanceOf(JdkEd25519.class);
    assertThat(MessageSigning.builder().mode(SigningMode.SIGN)
        .seed(NKeys.encodeSeed(new byte[32])).build().ed25519().name()).isEqualTo("jdk");
  }
}
