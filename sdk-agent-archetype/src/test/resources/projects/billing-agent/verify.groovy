// The generated Main against a NATS server that is not there, run as the README says
// (mvn -q compile exec:java): one line naming the agent, the URL and what to check, then exit 1.
// Before, the real message was buried in about 196 lines of Guice errors, or replaced under -q.
def projectDir = context.projectDir
File itRepo = new File(projectDir, '../../../../../it-repo').canonicalFile
String buildRepo = System.getProperty('maven.repo.local') ?: new File(System.getProperty('user.home'), '.m2/repository').path
File settings = new File(projectDir, 'target/run-settings.xml')
settings.text = new File(projectDir, '../../../../../../src/it/settings.xml').text
    .replace('@localRepositoryUrl@', new File(buildRepo).toURI().toString())
String mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path
ProcessBuilder run = new ProcessBuilder(mvn, '-q', '-ntp', '-s', settings.path,
    '-Dmaven.repo.local=' + itRepo.path, 'compile', 'exec:java')
    .directory(projectDir).redirectErrorStream(true)
run.environment().put('AGENTBUS_TRANSPORT', 'nats')
run.environment().put('NATS_URL', 'nats://127.0.0.1:1')
Process p = run.start()
String out = p.inputStream.text
p.waitFor()
new File(projectDir, 'target/unreachable-server.log').text = out
List<String> lines = out.readLines().findAll { !it.isBlank() }
assert p.exitValue() != 0 : "exit status 0 although the agent could not start:\n${out}"
def line = lines.find { it.startsWith('BillingAgent did not start: ') }
assert line : "no one-line reason:\n${out}"
assert line.contains('Could not connect to NATS at nats://127.0.0.1:1') : line
assert !out.contains('ProvisionException') && !out.contains('CaseFormat') : "Guice's report leaked:\n${out}"
// under -q, Maven adds nothing of its own but its failure report for the exit status
assert lines.count { !it.startsWith('[ERROR]') && !it.contains('WARN') } == 1 : "more than one line:\n${out}"
return true
