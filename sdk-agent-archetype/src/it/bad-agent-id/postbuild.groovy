// -DagentId="Billing Agent" must stop archetype:generate with the rule and a good id, and leave
// no project behind (before, it wrote "Billing Agent.java" and reported BUILD SUCCESS).
def checkRefused(String log, String how) {
  assert log.contains("agentId 'Billing Agent' is not a valid agent id") : "${how}: the bad id is not named"
  assert log.contains('lower-case letters and digits in words joined by') : "${how}: the rule is not given"
  assert log.contains('For example: -DagentId=billing-agent') : "${how}: no good id is suggested"
  assert log.contains('BUILD FAILURE') : "${how}: the generation did not fail"
  assert !new File(basedir, 'billing-agent').exists() : "${how}: the refused project was left on disk"
}
checkRefused(new File(basedir, 'build.log').text, 'batch mode')

// The same in interactive mode (the invoker always passes -B, so run Maven here): it used to loop
// on the class-name prompt; now the derived class name is accepted, the properties confirmed, and
// the id refused. stdin answers the class-name prompt (Enter) and the confirmation (Y).
def test = new Properties()
new File(basedir, 'test.properties').withInputStream { test.load(it) }
String mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path
List<String> command = [mvn, '-ntp', '-Dmaven.repo.local=' + localRepositoryPath,
    '-s', new File(basedir.parentFile, 'interpolated-settings.xml').path,
    '-DinteractiveMode=true', '-DarchetypeVersion=' + archetypeVersion]
test.each { k, v -> command << "-D${k}=${v}".toString() }
command << 'org.apache.maven.plugins:maven-archetype-plugin:' + archetypePluginVersion + ':generate'
Process maven = new ProcessBuilder(command).directory(basedir).redirectErrorStream(true).start()
maven.outputStream.withWriter { it.write('\nY\n\n\n') }
String interactive = maven.inputStream.text
maven.waitFor()
new File(basedir, 'interactive.log').text = interactive
assert maven.exitValue() != 0 : 'interactive generation did not fail'
checkRefused(interactive, 'interactive mode')
return true
