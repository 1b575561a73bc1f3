package io.agentbus.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The signing scheme's test vectors ({@code docs/signing-vectors.json}): made here from fixed
 * seeds (Ed25519 signatures are deterministic), and compared with the committed file, which the
 * Python implementation in {@code interop/python} checks too. Run with {@code
 * -Dagentbus.vectors.write=true} to rewrite the file after a deliberate change of the scheme.
 */
class SigningVectorsTest {
  static final Path FILE = Path.of("..", "docs", "signing-vectors.json");
  static final String REQUEST_NONCE = "AAECAwQFBgcICQoLDA0ODw";

  static String seed(int first) {
    byte[] raw = new byte[32];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) (first + i);
    }
    return NKeys.encodeSeed(raw);
  }

  record Vector(String name, String seed, String signer, String subject, String inReplyTo,
      String timestamp, String nonce, byte[] payload) {}

  static List<Vector> vectors() {
    String parser = seed(0);
    String architect = seed(100);
    List<Vector> v = new ArrayList<>();
    v.add(new Vector("heartbeat broadcast", parser, "parser-dev-001",
        "orchestrator.broadcast.heartbeat", "", "1733409130004", "ZmZmZmZmZmZmZmZmZmZmZg",
        ("{\"from_agent\":\"parser-dev-001\",\"to_agent\":null,\"message_type\":\"heartbeat\","
            + "\"content\":{\"status\":\"alive\"},\"timestamp\":\"2025-12-05T14:32:10.004Z\","
            + "\"correlation_id\":null}").getBytes(StandardCharsets.UTF_8)));
    v.add(new Vector("request", parser, "parser-dev-001",
        "orchestrator.agent.architect-001.resource_request", "", "1733409130004", REQUEST_NONCE,
        ("{\"from_agent\":\"parser-dev-001\",\"to_agent\":\"architect-001\",\"message_type\":"
            + "\"resource_request\",\"content\":{\"resource\":\"task_model\"},\"timestamp\":"
            + "\"2025-12-05T14:32:10.004Z\",\"correlation_id\":\"parser-dev-001-1733409130004-1\"}")
            .getBytes(StandardCharsets.UTF_8)));
    v.add(new Vector("reply", architect, "architect-001",
        "orchestrator.agent.architect-001.resource_request", REQUEST_NONCE, "1733409130011",
        "cmVwbHktbm9uY2UtMDAwMQ",
        ("{\"from_agent\":\"architect-001\",\"to_agent\":\"parser-dev-001\",\"message_type\":"
            + "\"resource_response\",\"content\":{\"status\":\"ready\"},\"timestamp\":"
            + "\"2025-12-05T14:32:10.011Z\",\"correlation_id\":\"parser-dev-001-1733409130004-1\"}")
            .getBytes(StandardCharsets.UTF_8)));
    v.add(new Vector("error reply", architect, "architect-001",
        "orchestrator.agent.architect-001.resource_request", REQUEST_NONCE, "1733409130012",
        "ZXJyb3ItcmVwbHktMDAwMQ", new byte[0]));
    v.add(new Vector("non-ASCII payload", parser, "parser-dev-001",
        "orchestrator.team.parsers.question", "", "1733409130020", "dXRmLTgtbm9uY2UtMDAwMQ",
        "{\"content\":{\"q\":\"caf\u00e9 \uD83D\uDE80\"}}".getBytes(StandardCharsets.UTF_8)));
    return v;
  }

  static String json() throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    Base64.Encoder std = Base64.getEncoder();
    StringBuilder out = new StringBuilder("{\n  \"scheme\": \"" + MessageSigning.VERSION
        + "\",\n  \"vectors\": [\n");
    List<Vector> vs = vectors();
    for (int i = 0; i < vs.size(); i++) {
      Vector v = vs.get(i);
      NKeys.KeyPairOf k = NKeys.fromSeed(v.seed());
      byte[] input = MessageSigning.signingInput(v.signer(), v.subject(), v.inReplyTo(),
          v.timestamp(), v.nonce(), v.payload());
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(k.privateKey());
      s.update(input);
      out.append("    {\n")
          .append("      \"name\": \"").append(v.name()).append("\",\n")
          .append("      \"seed\": \"").append(v.seed()).append("\",\n")
          .append("      \"public_key\": \"").append(k.publicNKey()).append("\",\n")
          .append("      \"signer\": \"").append(v.signer()).append("\",\n")
          .append("      \"subject\": \"").append(v.subject()).append("\",\n")
          .append("      \"in_reply_to\": \"").append(v.inReplyTo()).append("\",\n")
          .append("      \"timestamp\": \"").append(v.timestamp()).append("\",\n")
          .append("      \"nonce\": \"").append(v.nonce()).append("\",\n")
          .append("      \"payload_base64\": \"").append(std.encodeToString(v.payload()))
          .append("\",\n")
          .append("      \"signing_input_base64\": \"").append(std.encodeToString(input))
          .append("\",\n")
          .append("      \"signature\": \"").append(b64.encodeToString(s.sign())).append("\"\n")
          .append(i == vs.size() - 1 ? "    }\n" : "    },\n");
    }
    return out.append("  ]\n}\n").toString();
  }

  @Test
  void theCommittedVectorsAreWhatThisImplementationMakes() throws Exception {
    String made = json();
    if (Boolean.getBoolean("agentbus.vectors.write")) {
      Files.writeString(FILE, made);
    }
    assertThat(Files.readString(FILE)).as("docs/signing-vectors.json").isEqualTo(made);
  }

  @Test
  void eachVectorVerifiesAndNoAlteredOneDoes() throws Exception {
    for (Vector v : vectors()) {
      NKeys.KeyPairOf k = NKeys.fromSeed(v.seed());
      byte[] input = MessageSigning.signingInput(v.signer(), v.subject(), v.inReplyTo(),
          v.timestamp(), v.nonce(), v.payload());
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(k.privateKey());
      s.update(input);
      byte[] sig = s.sign();
      Signature check = Signature.getInstance("Ed25519");
      check.initVerify(NKeys.publicKey(k.publicNKey()));
      check.update(input);
      assertThat(check.verify(sig)).as(v.name()).isTrue();
      byte[] altered = input.clone();
      altered[altered.length - 1] ^= 1;
      check.initVerify(NKeys.publicKey(k.publicNKey()));
      check.update(altered);
      assertThat(check.verify(sig)).as(v.name() + " altered").isFalse();
    }
  }
}
