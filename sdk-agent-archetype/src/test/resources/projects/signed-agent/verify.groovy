// Issue 18, "Done when": the generated agent, unchanged, run as its README says (mvn exec:java) on a
// real nats-server with AGENTBUS_TRANSPORT=nats. With signing off a foreign client (nats-py) is
// answered; with AGENTBUS_SECURITY_SIGNING=require, a trusted-keys file and a seed file, a request
// signed with the trusted requester's key (PyNaCl, per docs/wire-format.md) is answered with a signed
// reply, while a forged one claiming the trusted id and an unsigned one get no answer and are
// dead-lettered and logged. The Python is AGENTBUS_INTEROP_PYTHON, else interop/python/.venv;
// without it the check fails under CI=true and is skipped (saying so) otherwise, as sdk-interop's.
def projectDir = context.projectDir
// projects/signed-agent/project/ledger under the module's target directory
File here = new File(projectDir, '../..').canonicalFile
File archetypeDir = here
while (!new File(archetypeDir, 'src/it/settings.xml').isFile()) {
  archetypeDir = archetypeDir.parentFile
}
File repoDir = archetypeDir.parentFile
File itRepo = new File(archetypeDir, 'target/it-repo')

String pythonPath = System.getenv('AGENTBUS_INTEROP_PYTHON') ?: new File(repoDir, 'interop/python/.venv/bin/python').path
File python = new File(pythonPath)
def missing = null
if (!python.canExecute()) {
  missing = "no Python at ${python}"
} else {
  Process check = new ProcessBuilder(python.path, '-c', 'import nats, nacl').redirectErrorStream(true).start()
  String out = check.inputStream.text
  if (check.waitFor() != 0) {
    missing = "${python} cannot import nats-py and PyNaCl: ${out}"
  }
}
if (missing != null) {
  String message = "The foreign client is not set up (${missing}). Create it with: python3 -m venv " +
      'interop/python/.venv && interop/python/.venv/bin/pip install -r interop/python/requirements.txt'
  assert System.getenv('CI') != 'true' : message
  println "[signed-agent] skipped: ${message}"
  return true
}

String buildRepo = System.getProperty('maven.repo.local') ?: new File(System.getProperty('user.home'), '.m2/repository').path
File settings = new File(projectDir, 'target/run-settings.xml')
settings.parentFile.mkdirs()
settings.text = new File(archetypeDir, 'src/it/settings.xml').text
    .replace('@localRepositoryUrl@', new File(buildRepo).toURI().toString())
String mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path

// a nats-server of our own on a free loopback port
int port = new ServerSocket(0, 0, InetAddress.getLoopbackAddress()).withCloseable { it.localPort }
String natsBinary = System.getenv('NATS_SERVER') ?: 'nats-server'
Process nats = new ProcessBuilder(natsBinary, '-a', '127.0.0.1', '-p', "${port}")
    .redirectErrorStream(true).redirectOutput(new File(projectDir, 'target/nats-server.log')).start()
String url = "nats://127.0.0.1:${port}"

// keys: the requester's and the agent's seeds are those of docs/signing-vectors.json
def vectors = new groovy.json.JsonSlurper().parse(new File(repoDir, 'docs/signing-vectors.json')).vectors
String requesterSeed = vectors[0].seed
String requesterKey = vectors[0].public_key
String agentSeed = vectors[2].seed
String agentKey = vectors[2].public_key
File trusted = new File(projectDir, 'target/trusted-keys')
// every agent is listed, the agent itself included (docs/security.md: the file is the whole trust)
trusted.text = "# agent id = public NKey\nparser-dev-001 = ${requesterKey}\nledger-001 = ${agentKey}\n"
File seedFile = new File(projectDir, 'target/ledger-001.seed')
seedFile.text = agentSeed + '\n'

def runAgent = { String name, Map<String, String> env ->
  // not -q: under -q Maven's logger, which the agent's SLF4J binds to in exec:java, drops its WARN lines
  ProcessBuilder pb = new ProcessBuilder(mvn, '-ntp', '-s', settings.path,
      '-Dmaven.repo.local=' + itRepo.path, 'exec:java')
      .directory(projectDir).redirectErrorStream(true)
      .redirectOutput(new File(projectDir, "target/agent-${name}.log"))
  pb.environment().put('AGENTBUS_TRANSPORT', 'nats')
  pb.environment().put('NATS_URL', url)
  pb.environment().putAll(env)
  return pb.start()
}
def runClient = { String name, List<String> args ->
  ProcessBuilder pb = new ProcessBuilder([python.path, new File(here, 'foreign_client.py').path,
      '--url', url, '--agent', 'ledger-001', '--resource', 'ledger-001-api'] + args)
      .redirectErrorStream(true)
  pb.environment().put('PYTHONPATH', new File(repoDir, 'interop/python').path)
  pb.environment().put('PYTHONDONTWRITEBYTECODE', '1')
  Process p = pb.start()
  String out = p.inputStream.text
  int status = p.waitFor()
  new File(projectDir, "target/client-${name}.log").text = out
  println out.readLines().collect { "[signed-agent ${name}] ${it}" }.join('\n')
  return [status, out]
}
def stop = { Process agent ->
  agent.destroy() // SIGTERM: the agent says it goes offline and closes its bus
  if (!agent.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
    agent.destroyForcibly()
  }
}

try {
  // 1. unchanged, signing off (the default)
  Process plain = runAgent('off', [:])
  def (int offStatus, String offOut) = runClient('off', ['--mode', 'off'])
  stop(plain)
  String plainLog = new File(projectDir, 'target/agent-off.log').text
  assert offStatus == 0 : "signing off: the foreign client failed:\n${offOut}\nagent:\n${plainLog}"
  assert offOut.contains('CHECK unsigned request answered with signing off')

  // 2. the same agent with signing required
  Process signed = runAgent('require', [
      AGENTBUS_SECURITY_SIGNING     : 'require',
      AGENTBUS_SECURITY_TRUSTED_KEYS: trusted.path,
      AGENTBUS_SECURITY_SEED_FILE   : seedFile.path])
  def (int status, String out) = runClient('require', ['--mode', 'require',
      '--requester-seed', requesterSeed, '--agent-key', agentKey])
  stop(signed)
  String log = new File(projectDir, 'target/agent-require.log').text
  assert status == 0 : "signing required: the foreign client failed:\n${out}\nagent:\n${log}"
  ['signed request answered, the reply signed by the agent',
   'forged request (trusted id, foreign key): no answer, dead-lettered',
   'unsigned request: no answer, dead-lettered',
   'signed request answered after the refusals'].each { assert out.contains("CHECK ${it}") : "missing step '${it}':\n${out}" }
  // the agent says why, once per cause (rate-limited), without a stack trace per message
  assert log.contains("Refused a message on 'orchestrator.agent.ledger-001.resource_request': altered") : log
  assert log.contains("Refused a message on 'orchestrator.agent.ledger-001.resource_request': unsigned") : log
  assert !log.contains('\tat ') : "a stack trace in the agent's log:\n${log}"
  // the handler logs each request it served: the signed ones (a first one may have been retried
  // while the agent was starting), each from the trusted requester
  assert log.readLines().count { it.contains('parser-dev-001 asked for ledger-001-api') } >= 2 : log
} finally {
  nats.destroy()
  nats.waitFor()
}
return true
