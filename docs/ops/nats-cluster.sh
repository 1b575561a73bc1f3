#!/usr/bin/env bash
# A 3-node NATS cluster with JetStream on this machine, for trying failover and clustered
# JetStream without Docker. Not for production: every node runs on 127.0.0.1.
#
#   docs/ops/nats-cluster.sh start [DIR]    start n1, n2, n3 and wait until all three are healthy
#   docs/ops/nats-cluster.sh stop  [DIR]    stop them
#
# DIR (default: $TMPDIR or /tmp, then agentbus-nats-cluster) holds each node's JetStream store,
# log and pid file. Ports: clients 4222-4224, routes 6222-6224, monitoring 8222-8224; move them
# all with NATS_CLUSTER_PORT_OFFSET (e.g. 10000 gives 14222-14224, 16222-16224, 18222-18224).
# Connect agents to all three: NATS_URL=nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224
set -euo pipefail

cmd="${1:-}"
dir="${2:-${TMPDIR:-/tmp}/agentbus-nats-cluster}"
offset="${NATS_CLUSTER_PORT_OFFSET:-0}"
server="$(command -v nats-server || echo /usr/sbin/nats-server)"

client_port() { echo $((4221 + $1 + offset)); }
route_port() { echo $((6221 + $1 + offset)); }
http_port() { echo $((8221 + $1 + offset)); }

start() {
  mkdir -p "$dir"
  local routes="nats://127.0.0.1:$(route_port 1),nats://127.0.0.1:$(route_port 2),nats://127.0.0.1:$(route_port 3)"
  local pids=()
  for n in 1 2 3; do
    : >"$dir/n$n.log" # this start's log only: the node's server ID is read from it below
    "$server" --jetstream --store_dir "$dir/n$n" --server_name "n$n" \
      --addr 127.0.0.1 --port "$(client_port $n)" --http_port "$(http_port $n)" \
      --cluster_name agentbus --cluster "nats://127.0.0.1:$(route_port $n)" --routes "$routes" \
      --log "$dir/n$n.log" --pid "$dir/n$n.pid" </dev/null >/dev/null 2>&1 &
    pids+=("$!")
  done
  # healthy = the process this script started is running, the monitoring port answers as that
  # very server (its ID from its own log, not merely some nats-server), JetStream is up and the
  # node has joined the meta group (needs a quorum of 2)
  for n in 1 2 3; do
    local pid="${pids[$((n - 1))]}" port; port="$(http_port "$n")"
    local ok=0 id="" answered=""
    for _ in $(seq 1 100); do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "n$n exited at startup: $(grep -m1 -E '\[(FTL|ERR)\]' "$dir/n$n.log" || echo "see $dir/n$n.log")" >&2
        stop
        exit 1
      fi
      id="$(grep -m1 -oE 'ID: +N[A-Z0-9]+' "$dir/n$n.log" | grep -oE 'N[A-Z0-9]+$' || true)"
      answered="$(curl -fsS "http://127.0.0.1:$port/varz" 2>/dev/null \
        | grep -m1 -oE '"server_id": *"[A-Z0-9]+"' | grep -oE 'N[A-Z0-9]+' || true)"
      if [ -n "$id" ] && [ "$answered" = "$id" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
        ok=1
        break
      fi
      sleep 0.1
    done
    if [ "$ok" -ne 1 ]; then
      if [ -n "$answered" ] && [ "$answered" != "$id" ]; then
        echo "n$n is not healthy: monitoring port $port answers as server $answered, not n$n (${id:-no ID yet}); another server holds the port. See $dir/n$n.log" >&2
      else
        echo "n$n is not healthy; see $dir/n$n.log" >&2
      fi
      stop
      exit 1
    fi
  done
  echo "cluster up: nats://127.0.0.1:$(client_port 1),nats://127.0.0.1:$(client_port 2),nats://127.0.0.1:$(client_port 3)"
}

stop() {
  local pids=()
  for n in 1 2 3; do
    if [ -f "$dir/n$n.pid" ]; then
      pids+=("$(cat "$dir/n$n.pid")")
      rm -f "$dir/n$n.pid"
    fi
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  kill "${pids[@]}" 2>/dev/null || true
  # wait until they are gone, so their ports and store directories are free again
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then alive=1; fi
    done
    [ "$alive" -eq 0 ] && return 0
    sleep 0.1
  done
  echo "nats-server ${pids[*]} still running after 10 s" >&2
  exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
