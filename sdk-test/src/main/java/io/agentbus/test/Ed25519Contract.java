package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.security.JdkEd25519;
import io.agentbus.security.MessageSigning;
import io.agentbus.security.NKeys;
import io.agentbus.spi.Ed25519Provider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Ed25519Provider} must do: make exactly the signatures of the scheme's test
 * vectors ({@code docs/signing-vectors.json}, which sdk-core and the Python implementation check
 * too), verify them and nothing altered, and agree with the JDK's implementation signature for
 * signature on random keys and bytes (Ed25519 is deterministic, so a signer from one and a
 * verifier from the other must interoperate). Extend it with the provider under test.
 */
public abstract class Ed25519Contract {
  /** The vectors file, from a module directory of the build. */
  public static final Path VECTORS = Path.of("..", "docs", "signing-vectors.json");

  /** The implementation under test. */
  protected abstract Ed25519Provider provider();

  /** One vector of the file: the fields this contract needs. */
  record Vector(String name, String seed, String publicKey, byte[] payload, byte[] input,
      byte[] signature, Map<String, String> fields) {}

  static List<Vector> vectors() throws Exception {
    String json = Files.readString(VECTORS, StandardCharsets.UTF_8);
    Matcher objects = Pattern.compile("\\{([^{}]*)}").matcher(json);
    Pattern field = Pattern.compile("\"([a-z0-9_]+)\": \"((?:[^\"\\\\]|\\\\.)*)\"");
    List<Vector> out = new ArrayList<>();
    Base64.Decoder std = Base64.getDecoder();
    Base64.Decoder url = Base64.getUrlDecoder();
    while (objects.find()) {
      Map<String, String> f = new LinkedHashMap<>();
      Matcher m = field.matcher(objects.group(1));
      while (m.find()) {
        f.put(m.group(1), m.group(2));
      }
      out.add(new Vector(f.get("name"), f.get("seed"), f.get("public_key"),
          std.decode(f.get("payload_base64")), std.decode(f.get("signing_input_base64")),
          url.decode(f.get("signature")), f));
    }
    assertThat(out).as("vectors in " + VECTORS).hasSizeGreaterThanOrEqualTo(5);
    return out;
  }

  @Test
  void signsEachTestVectorExactly() throws Exception {
    for (Vector v : vectors()) {
      Map<String, String> f = v.fields();
      byte[] input = MessageSigning.signingInput(f.get("signer"), f.get("subject"),
          f.get("in_reply_to"), f.get("timestamp"), f.get("nonce"), v.payload());
      assertThat(input).as(v.name() + ": signing input").isEqualTo(v.input());
      assertThat(provider().signer(v.seed()).sign(input)).as(v.name() + ": signature")
          .isEqualTo(v.signature());
    }
  }

  @Test
  void verifiesEachTestVectorAndNothingAltered() throws Exception {
    for (Vector v : vectors()) {
      Ed25519Provider.Verifier verifier = provider().verifier(v.publicKey());
      assertThat(verifier.verify(v.input(), v.signature())).as(v.name()).isTrue();
      byte[] input = v.input().clone();
      input[input.length - 1] ^= 1;
      assertThat(verifier.verify(input, v.signature())).as(v.name() + ", input altered")
          .isFalse();
      byte[] sig = v.signature().clone();
      sig[10] ^= 1;
      assertThat(verifier.verify(v.input(), sig)).as(v.name() + ", signature altered").isFalse();
      assertThat(verifier.verify(v.input(), new byte[0])).as(v.name() + ", empty").isFalse();
      assertThat(verifier.verify(v.input(), new byte[63])).as(v.name() + ", short").isFalse();
      String other = NKeys.fromSeed(vectors().get(vectors().size() - 1 - 1).seed()).publicNKey();
      if (!other.equals(v.publicKey())) {
        assertThat(provider().verifier(other).verify(v.input(), v.signature()))
            .as(v.name() + ", another key").isFalse();
      }
    }
  }

  @Test
  void agreesWithTheJdkOnRandomKeysAndBytes() {
    Random random = new Random(18);
    for (int i = 0; i < 100; i++) {
      byte[] raw = new byte[32];
      random.nextBytes(raw);
      String seed = NKeys.encodeSeed(raw);
      String publicKey = NKeys.fromSeed(seed).publicNKey();
      byte[] input = new byte[random.nextInt(2_000)];
      random.nextBytes(input);
      byte[] mine = provider().signer(seed).sign(input);
      byte[] jdk = JdkEd25519.INSTANCE.signer(seed).sign(input);
      assertThat(mine).as("signature " + i).isEqualTo(jdk);
      assertThat(provider().verifier(publicKey).verify(input, jdk)).as("verify JDK's " + i)
          .isTrue();
      assertThat(JdkEd25519.INSTANCE.verifier(publicKey).verify(input, mine))
          .as("JDK verifies " + i).isTrue();
    }
  }

  @Test
  void refusesKeysThatAreNotUserNKeys() {
    String seed = NKeys.encodeSeed(new byte[32]);
    String publicKey = NKeys.fromSeed(seed).publicNKey();
    assertThatThrownBy(() -> provider().signer(publicKey))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("seed");
    assertThatThrownBy(() -> provider().verifier(seed))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("public key");
    assertThatThrownBy(() -> provider().verifier("UNOTAKEY"))
        .isInstanceOf(ConfigurationException.class);
  }
}
