// Runs after the archetype wrote the project. Maven applies archetype-metadata.xml's
// validationRegex only to values typed at a prompt, never to -D values (batch or interactive), so
// the agent id and the class name are checked here: a bad one removes what was just written and
// fails the generation with the rule and a good value.
import java.util.regex.Pattern

def props = request.properties
String agentId = props.getProperty('agentId')
String className = props.getProperty('agentClassName')
String packageName = request.package

// the same rules as archetype-metadata.xml
final String ID_RULE = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'
final String CLASS_RULE = '^[A-Z][A-Za-z0-9]*$'

static String suggestedId(String bad) {
  String id = bad.toLowerCase(Locale.ROOT).replaceAll('[^a-z0-9]+', '-').replaceAll('^[-0-9]+|-+$', '')
  return id.isEmpty() ? 'billing-agent' : id
}

static String suggestedClass(String id) {
  return id.split('-').collect { it.substring(0, 1).toUpperCase(Locale.ROOT) + it.substring(1) }.join('')
}

List<String> problems = []
if (agentId == null || !Pattern.matches(ID_RULE, agentId)) {
  String good = suggestedId(agentId ?: '')
  problems << ("agentId '${agentId}' is not a valid agent id: it is one NATS subject token, lower-case "
      + "letters and digits in words joined by '-', starting with a letter (${ID_RULE}). "
      + "For example: -DagentId=${good}").toString()
} else if (className == null || !Pattern.matches(CLASS_RULE, className)) {
  problems << ("agentClassName '${className}' is not a valid class name: an upper-case letter, then "
      + "letters and digits (${CLASS_RULE}). For example: -DagentClassName=${suggestedClass(agentId)}, "
      + "or leave it out to derive it from the agent id").toString()
}

if (problems) {
  // Remove exactly the files this archetype wrote (the directory may have held other files before),
  // then the directories left empty.
  File project = new File(request.outputDirectory, request.artifactId)
  String pkg = packageName.replace('.', '/')
  String cls = className ?: ''
  List<String> written = [
      'pom.xml', 'README.md', 'docker-compose.yml', '.gitignore',
      'src/main/resources/agentbus.properties', 'src/main/resources/simplelogger.properties',
      'src/test/resources/durable/agentbus.properties', 'src/test/resources/junit-platform.properties',
      "src/main/java/${pkg}/Main.java", "src/main/java/${pkg}/${cls}.java",
      "src/test/java/${pkg}/MainTest.java", "src/test/java/${pkg}/${cls}Test.java",
      "src/test/java/${pkg}/${cls}NatsTest.java", "src/test/java/${pkg}/PairOfAgentsTest.java",
  ]*.toString()
  written.each { new File(project, it).delete() }
  List<File> dirs = []
  if (project.isDirectory()) {
    project.eachDirRecurse { dirs << it }
  }
  (dirs.sort { -it.path.length() } + [project]).each { dir ->
    if (dir.isDirectory() && dir.list().length == 0) {
      dir.delete()
    }
  }
  throw new IllegalArgumentException(problems.join('; ') + '. Nothing was generated.')
}
