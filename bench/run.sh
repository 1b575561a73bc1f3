#!/usr/bin/env bash
# Runs the AgentBus benchmarks and prints one summary table, each figure beside its baseline from
# the same run (raw jnats, a JDK-queue ping-pong). Starts its own nats-server on a free loopback
# port and stops it at the end.
#
#   bench/run.sh            short profile, about 16 minutes on 2 cores
#   bench/run.sh long       longer profile, for published figures (about an hour)
#   bench/run.sh short --only pubsub,reqrep     a subset (groups: pubsub reqrep codec heartbeat
#                                               observe)
#   bench/run.sh observe    what tracing and metrics cost: p50/p99 of request/reply and of
#                           publish -> handler with tracing (no-op exporter), metrics, both, beside
#                           the plain bus, on NATS and in memory; about 3 minutes (= short --only
#                           observe; "bench/run.sh long --only observe" for published figures)
#   bench/run.sh short --prof gc                add a JMH profiler to every benchmark
#   bench/run.sh report sdk-benchmarks/target/bench-results/<run>   re-print a saved table
#   bench/run.sh scale [--out DIR]   cost as agents grow (1..10,000 agents, fan-out to 1..1,000
#                           subscribers, both transports): scale.md (table) and scale.svg (chart);
#                           about 3 minutes
#   bench/run.sh hops [--out DIR]    what the bus adds to a request and a message: request/reply
#                           p50/p99 of the bus against its transport alone (NATS, in memory; 1 and
#                           16 in flight; raw jnats beside) and CPU per message on NATS (bus JSON,
#                           bus Protobuf, raw jnats), two rounds, a ratio table; about 6 minutes
#   bench/run.sh scale --agents 10000   only the start and close of that many agents, both
#                           transports (a quick before/after)
#   bench/run.sh cluster [--agents 10000] [--processes 3] [--heap 1g] [--out DIR]
#                           beyond one process: a 3-node nats-server cluster on free loopback
#                           ports and three agent JVMs, one per node; every agent asks a random
#                           other agent; prints start/close times, answered/failed, p50/p99,
#                           threads and heap per process (cluster.md); a few minutes
#   bench/run.sh signed [--ed25519 jnats,jdk] [--out DIR]   end-to-end over NATS with signed
#                           messages (publish -> handler and request/reply; signing off, sign,
#                           require) beside raw jnats; prints a Markdown table with the load
#                           average; about 2.5 minutes per Ed25519 implementation (default jnats)
#
# Results (JMH JSON per group, nats-server log, summary.txt) go to
# sdk-benchmarks/target/bench-results/<profile>-<time>/ unless --out DIR is given.
# nats-server: $NATS_SERVER, /usr/sbin/nats-server or the PATH (Debian: apt-get install nats-server).
set -euo pipefail
cd "$(dirname "$0")/.."

module=sdk-benchmarks
if [ "${1:-}" != "report" ] || [ ! -f "$module/target/benchmark-classpath.txt" ]; then
  echo "# building $module" >&2
  ./mvnw -q -B -ntp -pl "$module" -am package -DskipTests
fi

if [ "${1:-}" = "observe" ]; then
  shift
  set -- short --only observe "$@"
fi

java_bin="java"
if [ -n "${JAVA_HOME:-}" ]; then java_bin="$JAVA_HOME/bin/java"; fi
if [ "${1:-}" = "cluster" ]; then
  shift
  exec "$java_bin" -Xmx256m \
    -cp "$module/target/classes:$(cat "$module/target/benchmark-classpath.txt")" \
    io.agentbus.benchmarks.ClusterScale "$@"
fi
heap=-Xmx512m
if [ "${1:-}" = "scale" ]; then heap=-Xmx2g; fi
exec "$java_bin" "$heap" \
  -cp "$module/target/classes:$(cat "$module/target/benchmark-classpath.txt")" \
  io.agentbus.benchmarks.BenchmarkMain "$@"
