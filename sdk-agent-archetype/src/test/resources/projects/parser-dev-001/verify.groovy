// maven-script-interpreter 1.5 binds the variables in `context`
def projectDir = context.projectDir
// The names follow the package and the agent id: parser-dev-001 -> ParserDev001 in org.example.parsers.
def base = new File(projectDir, 'src/main/java/org/example/parsers')
def agent = new File(base, 'ParserDev001.java')
assert agent.isFile() : "expected ${agent}"
def text = agent.text
assert text.contains('package org.example.parsers;')
assert text.contains('public final class ParserDev001 extends AbstractAgent')
assert text.contains('public static final String ID = "parser-dev-001";')
assert new File(base, 'Main.java').text.contains('AgentApplication.run(ParserDev001.class)')
def tests = new File(projectDir, 'src/test/java/org/example/parsers')
assert new File(tests, 'ParserDev001Test.java').isFile()
assert new File(tests, 'ParserDev001NatsTest.java').isFile()
def pom = new File(projectDir, 'pom.xml').text
assert pom.contains('<artifactId>parser-dev</artifactId>')
// the project declares what it uses: the Guice wiring, and each transport and codec configuration may pick
['sdk-guice', 'sdk-transport-inmemory', 'sdk-transport-nats', 'sdk-codec-json', 'sdk-codec-protobuf',
 'sdk-opentelemetry', 'sdk-micrometer'].each {
  assert pom.contains("<artifactId>${it}</artifactId>") : "pom.xml does not declare ${it}"
}
// AGENTBUS_TRACING=otel exports over OTLP as OTEL_* say: autoconfigure and the exporter, on the JDK's client
['opentelemetry-sdk-extension-autoconfigure', 'opentelemetry-exporter-otlp', 'opentelemetry-exporter-sender-jdk'].each {
  assert pom.contains("<artifactId>${it}</artifactId>") : "pom.xml does not declare ${it}"
}
assert !pom.contains('<artifactId>sdk-agent-template</artifactId>') : 'sdk-guice brings the template'
assert new File(projectDir, 'src/test/resources/durable/agentbus.properties').text
    .contains('agentbus.queue.tasks.durable=true')
assert !pom.contains('@') : 'an @...@ placeholder was left unfiltered in pom.xml'
def props = new File(projectDir, 'src/main/resources/agentbus.properties').text
assert props.contains('agentbus.transport=inmemory')
assert props.contains('#agentbus.tracing=otel') && props.contains('#agentbus.metrics=micrometer')
assert props.contains('orchestrator.agent.parser-dev-001.')
assert new File(projectDir, 'docker-compose.yml').text.contains('8222:8222')
assert new File(projectDir, '.gitignore').isFile()
// exec:java runs the main named by a property, so -Dexec.mainClass=... can pick another
assert pom.contains('<exec.mainClass>org.example.parsers.Main</exec.mainClass>')
assert !pom.contains('<mainClass>') : 'a hard-coded <mainClass> would ignore -Dexec.mainClass'
assert new File(tests, 'PairOfAgentsTest.java').text.contains('kit.hold(ParserDev001.ID)')
assert new File(tests, 'ParserDev001Test.java').text.contains('AgentTestKit.create()')
// the README's table lists every file the archetype wrote
def readme = new File(projectDir, 'README.md').text
projectDir.eachFileRecurse(groovy.io.FileType.FILES) { f ->
  String rel = projectDir.toPath().relativize(f.toPath()).toString().replace('\\', '/')
  if (rel.startsWith('target/') || rel.endsWith('build.log')) {
    return
  }
  String listed = rel.replaceFirst('^src/(main|test)/java/org/example/parsers/', 'src/$1/java/.../')
  assert readme.contains('`' + listed + '`') : "README.md does not list ${rel} (as `${listed}`)"
}
return true
