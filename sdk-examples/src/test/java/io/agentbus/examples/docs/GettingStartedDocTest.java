package io.agentbus.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/getting-started.md says the build generates the very project its commands generate and
 * runs the very command it shows. This keeps that true: the {@code archetype:generate} command on
 * the page names this build's archetype and version and the same values as the archetype's
 * integration test ({@code sdk-agent-archetype/src/test/resources/projects/billing-agent}), whose
 * goal is the page's {@code mvn -B verify}.
 */
class GettingStartedDocTest {
  private static final Path ROOT = repositoryRoot();
  private static final Path IT = ROOT.resolve(
      "sdk-agent-archetype/src/test/resources/projects/billing-agent");

  @Test
  void theGenerateCommandIsTheOneTheArchetypeIntegrationTestRuns() throws IOException {
    Map<String, String> command = generateCommand();

    assertThat(command)
        .containsEntry("archetypeGroupId", "io.agentbus")
        .containsEntry("archetypeArtifactId", "sdk-agent-archetype")
        .containsEntry("archetypeVersion", projectVersion());

    Properties it = new Properties();
    try (Reader r = Files.newBufferedReader(IT.resolve("archetype.properties"))) {
      it.load(r);
    }
    for (String key : new String[] {"groupId", "artifactId", "package", "agentId"}) {
      assertThat(command).as("-D%s on the page", key).containsEntry(key, it.getProperty(key));
    }
    // the page leaves the version to the archetype's default, Maven's 1.0-SNAPSHOT
    assertThat(command).doesNotContainKey("version");
    assertThat(it.getProperty("version")).isEqualTo("1.0-SNAPSHOT");
    assertThat(Files.readString(IT.resolve("goal.txt")).trim()).isEqualTo("verify");
    assertThat(page()).contains("```bash\nmvn -B verify\n```");
  }

  @Test
  void theInstallCommandInstallsTheVersionTheCommandNames() throws IOException {
    assertThat(page()).contains("./mvnw -q install -DskipTests")
        .contains("at version `" + projectVersion() + "`");
  }

  private static Map<String, String> generateCommand() throws IOException {
    String page = page();
    int at = page.indexOf("archetype:generate \\");
    assertThat(at).as("an archetype:generate command in docs/getting-started.md").isPositive();
    String block = page.substring(at, page.indexOf("```", at));
    Map<String, String> d = new LinkedHashMap<>();
    Matcher m = Pattern.compile("-D([A-Za-z]+)=(\\S+)").matcher(block);
    while (m.find()) {
      d.put(m.group(1), m.group(2));
    }
    return d;
  }

  private static String projectVersion() throws IOException {
    String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<artifactId>agentbus-parent</artifactId>\\s*<version>([^<]+)<")
        .matcher(pom);
    assertThat(m.find()).as("the version in the root pom.xml").isTrue();
    return m.group(1);
  }

  private static String page() throws IOException {
    return Files.readString(ROOT.resolve("docs/getting-started.md"), StandardCharsets.UTF_8);
  }

  private static Path repositoryRoot() {
    Path start = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
        .toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docs/getting-started.md"))) {
        return p;
      }
    }
    throw new AssertionError("No docs/getting-started.md in " + start + " or above");
  }
}
