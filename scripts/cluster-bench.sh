#!/usr/bin/env bash
# The cluster benchmark, in ONE run on this machine: the same seeded dataset served by
# one local-mode server and by a three-node cluster (scripts/cluster.sh: three NATS
# servers, three nodes, HAProxy), the same client and connections against each:
#   - POST /msgs/<user> and GET /msgs: throughput and p50/p99, local vs cluster through
#     HAProxy vs one cluster node directly;
#   - CPU per request of every process (each node, each NATS server, HAProxy), from
#     /proc, and where a cluster POST's time goes (publish round trip, the node's synced
#     write, the rest: queueing and the wait for the record to come back), from /metrics;
#   - catch-up of an empty node: events applied per second until /health/ready;
#   - failover: kill -9 of a node under open-loop POSTs through HAProxy, the time until
#     HAProxy stops sending to it, and the requests that failed meanwhile.
# Prints the figures as Markdown (for BENCHMARKS.md) and keeps the raw JSON lines.
#
#   scripts/cluster-bench.sh [--smoke]   --smoke: tiny dataset, one-second runs (checks it works)
# Environment: MINITWIT_BIN_DIR (default build/release/bin, built here when unset).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/bench-lib.sh

smoke=0
[ "${1:-}" = --smoke ] && smoke=1
if [ -z "${MINITWIT_BIN_DIR:-}" ]; then
  scripts/install-deps.sh cluster
  MINITWIT_BUILD_TARGETS="minitwit-server minitwit-admin minitwit-loadgen" scripts/build.sh release
  export MINITWIT_BIN_DIR="$root/build/release/bin"
fi
bin="$MINITWIT_BIN_DIR"
if [ "$smoke" = 1 ]; then
  users=50 messages=2000 follows=1000 duration=1 warmup=0.5 conns=8 rate=100 fail_s=3
else
  users=1000 messages=200000 follows=20000 duration=10 warmup=2 conns=64 rate=500 fail_s=10
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/minitwit-cluster-bench.XXXXXX")"
results="$work/results.ndjson"
cluster="$work/cluster"
local_pid=""
cleanup() {
  [ -z "$local_pid" ] || kill "$local_pid" 2>/dev/null || true
  scripts/cluster.sh down --dir "$cluster" >/dev/null 2>&1 || true
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
say() { printf '\n== %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
# wait_until DESC SECONDS COMMAND...: polls COMMAND until it succeeds; fails the run
# after SECONDS.
wait_until() {
  local desc="$1" deadline=$(($(date +%s) + $2))
  shift 2
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "cluster-bench: $desc: not within the time bound" >&2; exit 1; }
    sleep 0.02
  done
}

# cpu_ticks PID...: user + system clock ticks of the processes, summed.
cpu_ticks() {
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
  echo "$t"
}
hz=$(getconf CLK_TCK)

# run NAME TARGET WORKLOAD: one loadgen run; prints "requests req/s p50 p99 errors max".
run() {
  local name="$1" target="$2" workload="$3"
  shift 3
  "$bin/minitwit-loadgen" run --workload "$workload" --target "$target" --name "$name" \
    --connections "$conns" --duration "$duration" --warmup "$warmup" --users "$users" \
    --json "$results" >/dev/null
  tail -1 "$results" | summary
}
# summary: "requests req/s p50 p99 errors max" of the loadgen JSON line on stdin.
summary() {
  python3 -c '
import json, sys
t = json.load(sys.stdin)["total"]
l = t["latency_ms"]
print(t["requests"], round(t["throughput_rps"]), round(l["p50"], 2), round(l["p99"], 2),
      sum(t["errors"].values()), round(l["max"], 1))'
}

# measure NAME TARGET WORKLOAD PIDS...: run, and the CPU of PIDS per request (µs).
measure() {
  local name="$1" target="$2" workload="$3" before after figures
  shift 3
  before=$(cpu_ticks "$@")
  figures=$(run "$name" "$target" "$workload")
  after=$(cpu_ticks "$@")
  set -- $figures
  # requests were counted over `duration`; the CPU over warm-up + duration
  echo "$name $* $(awk -v c=$((after - before)) -v hz="$hz" -v n="$1" -v d="$duration" -v w="$warmup" \
    'BEGIN { printf "%.0f", c / hz * 1e6 / (n * (d + w) / d) }')"
}

metric_sum() {  # metric_sum ADMIN NAME: the histogram's _sum and _count
  curl -s -H "Authorization: Bearer $(cat "$cluster/secrets/admin_token")" "http://$1/metrics" |
    awk -v n="$2" '$1 == n"_sum" { s = $2 } $1 == n"_count" { c = $2 } END { print s + 0, c + 0 }'
}

say "seeding $users users, $messages messages, $follows follows"
"$bin/minitwit-loadgen" seed --data-dir "$work/seed" --users "$users" --messages "$messages" \
  --follows "$follows" >/dev/null 2>&1
cp -a "$work/seed" "$work/local"

say "local mode"
"$bin/minitwit-server" --data-dir "$work/local" --api-listen 127.0.0.1:0 --web-listen 127.0.0.1:0 \
  --admin-listen 127.0.0.1:0 --log-level warn >"$work/local.out" 2>&1 &
local_pid=$!
wait_until "the local server to listen" 60 grep -q 'listening api=' "$work/local.out"
local_api=$(grep -o 'listening api=[^ ]*' "$work/local.out" | cut -d= -f2)
rows=()
rows+=("$(measure local-post "$local_api" post "$local_pid")")
rows+=("$(measure local-msgs "$local_api" msgs "$local_pid")")
kill "$local_pid"
wait "$local_pid" || true
local_pid=""

say "cluster: 3 NATS + 3 nodes + HAProxy, the same dataset published into the stream"
HAPROXY_LOG_LEVEL=notice scripts/cluster.sh up --dir "$cluster" -- --log-level warn >/dev/null
source "$cluster/cluster.env"
MINITWIT_NATS_TOKEN_FILE="$NATS_TOKEN_FILE" "$bin/minitwit-admin" cluster-import \
  --data-dir "$work/seed" --event-log "$EVENT_LOG" --nats-stream "$NATS_STREAM" >/dev/null 2>&1
head=$("$bin/minitwit-admin" stats --data-dir "$work/seed" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_seq"])')
# has_applied ADMIN SEQ: the node has applied the log up to SEQ.
has_applied() {
  local body
  body=$(curl -s -m 2 "http://$1/health/ready") || return 1
  python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1]).get("last_event", 0) < int(sys.argv[2]))' "$body" "$2" 2>/dev/null
}
for a in "$NODE1_ADMIN" "$NODE2_ADMIN" "$NODE3_ADMIN"; do
  wait_until "node $a to apply the published dataset" 600 has_applied "$a" "$head"
done
pids=()
for n in nats1 nats2 nats3 node1 node2 node3 haproxy; do pids+=("$(cat "$cluster/pids/$n.pid")"); done
node_pids=("${pids[@]:3:3}") nats_pids=("${pids[@]:0:3}") haproxy_pid="${pids[6]}"
# cpu_parts NAME TARGET WORKLOAD: the run, then CPU per request of each part (all, nodes,
# NATS, HAProxy), and per process (node1..3, nats1..3) in $per_process_file.
per_process_file="$work/per-process"
cpu_parts() {
  local b_nodes b_nats b_hap a_nodes a_nats a_hap figures n p b=() line="$1"
  b_nodes=$(cpu_ticks "${node_pids[@]}") b_nats=$(cpu_ticks "${nats_pids[@]}") b_hap=$(cpu_ticks "$haproxy_pid")
  for p in "${pids[@]:0:6}"; do b+=("$(cpu_ticks "$p")"); done
  figures=$(run "$1" "$2" "$3")
  a_nodes=$(cpu_ticks "${node_pids[@]}") a_nats=$(cpu_ticks "${nats_pids[@]}") a_hap=$(cpu_ticks "$haproxy_pid")
  n=$(echo "$figures" | cut -d' ' -f1)
  per() { awk -v c="$1" -v hz="$hz" -v n="$n" -v d="$duration" -v w="$warmup" 'BEGIN { printf "%.0f", c / hz * 1e6 / (n * (d + w) / d) }'; }
  for i in 3 4 5 0 1 2; do line+=" $(per $(($(cpu_ticks "${pids[$i]}") - b[i])))"; done
  echo "$line" >>"$per_process_file"
  echo "$1 $figures $(per $((a_nodes - b_nodes + a_nats - b_nats + a_hap - b_hap))) $(per $((a_nodes - b_nodes))) $(per $((a_nats - b_nats))) $(per $((a_hap - b_hap)))"
}
# The API's time in the server for /msgs/:user (only POSTs during the node1-post run).
post_seconds() {
  curl -s -H "Authorization: Bearer $(cat "$ADMIN_TOKEN_FILE")" "http://$NODE1_ADMIN/metrics" |
    awk '/^minitwit_http_request_duration_seconds_(sum|count)\{/ && /listener="api"/ && /route="\/msgs\/:user"/ {
      if ($1 ~ /_sum/) s += $2; else c += $2 } END { print s + 0, c + 0 }'
}
p0=$(metric_sum "$NODE1_ADMIN" minitwit_cluster_publish_duration_seconds)
f0=$(metric_sum "$NODE1_ADMIN" minitwit_writer_fsync_duration_seconds)
h0=$(post_seconds)
direct=$(cpu_parts node1-post "$NODE1_API" post)
p1=$(metric_sum "$NODE1_ADMIN" minitwit_cluster_publish_duration_seconds)
f1=$(metric_sum "$NODE1_ADMIN" minitwit_writer_fsync_duration_seconds)
h1=$(post_seconds)
lb_post=$(cpu_parts lb-post "$LB_API" post)
lb_msgs=$(cpu_parts lb-msgs "$LB_API" msgs)
direct_msgs=$(cpu_parts node1-msgs "$NODE1_API" msgs)

say "catch-up of an empty node"
scripts/cluster.sh node-stop 3 --dir "$cluster" >/dev/null
events_total=$(curl -s "http://$NODE1_ADMIN/health/ready" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_event"])')
rm -rf "$NODE3_DATA"
t0=$(now_ms)
scripts/cluster.sh node-start 3 --dir "$cluster" >/dev/null
catchup_ms=$(($(now_ms) - t0))

say "failover: kill -9 of node2 under ${rate} POST/s through HAProxy"
"$bin/minitwit-loadgen" run --workload post --target "$LB_API" --rate "$rate" --duration "$fail_s" \
  --warmup 0 --users "$users" --connections "$conns" --name failover --json "$results" >/dev/null &
lg=$!
sleep $((fail_s / 3))
kill -9 "$(cat "$cluster/pids/node2.pid")"
t0=$(now_ms)
# Out of rotation: HAProxy's status for it is DOWN (while "UP 1/2", a check has failed
# but it still gets requests).
node2_down() {
  local csv
  csv=$(curl -s -m 2 "http://$LB_STATS/stats;csv") || return 1
  awk -F, '$1 == "api_nodes" && $2 == "node2" { found = ($18 ~ /^DOWN/) } END { exit !found }' <<<"$csv"
}
wait_until "HAProxy to take node2 out of rotation" 30 node2_down
out_ms=$(($(now_ms) - t0))
wait "$lg" || true
failover=$(tail -1 "$results" | summary)

# ------------------------------------------------------------------ report
read -r ps pc <<<"$(awk -v a="$p0" -v b="$p1" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[1] - x[1], y[2] - x[2] }')"
read -r fs fc <<<"$(awk -v a="$f0" -v b="$f1" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[1] - x[1], y[2] - x[2] }')"
read -r hs hc <<<"$(awk -v a="$h0" -v b="$h1" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[1] - x[1], y[2] - x[2] }')"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(date -u +%F); dataset: $users users, $messages messages, $follows follows ($head events); $conns connections, ${duration} s after ${warmup} s warm-up; load generator on the same 2 cores."
echo
echo "| run | requests | req/s | p50 ms | p99 ms | errors | CPU µs/request (all) | nodes | NATS | HAProxy |"
echo "|---|---|---|---|---|---|---|---|---|---|"
# rows: NAME REQUESTS REQ/S P50 P99 ERRORS MAX CPU-ALL [CPU-NODES CPU-NATS CPU-HAPROXY]
for r in "${rows[@]}"; do set -- $r; echo "| $1 | $2 | $3 | $4 | $5 | $6 | $8 | $8 | – | – |"; done
for r in "$direct" "$lb_post" "$direct_msgs" "$lb_msgs"; do set -- $r; echo "| $1 | $2 | $3 | $4 | $5 | $6 | $8 | $9 | ${10} | ${11} |"; done
echo
echo "CPU µs per request of each process (node1 answers the direct runs):"
echo
echo "| run | node1 | node2 | node3 | nats1 | nats2 | nats3 |"
echo "|---|---|---|---|---|---|---|"
while read -r -a r; do echo "| ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} | ${r[4]} | ${r[5]} | ${r[6]} |"; done <"$per_process_file"
echo
awk -v ps="$ps" -v pc="$pc" -v fs="$fs" -v fc="$fc" -v hs="$hs" -v hc="$hc" 'BEGIN {
  if (pc == 0 || hc == 0 || fc == 0) { print "(no cluster POST measured)"; exit }
  printf "A cluster POST on node1 (node1-post run): %.2f ms in the server on average; per batch, publish round trip %.2f ms (%d batches), synced write of the applied records %.2f ms (%d writes).\n", hs / hc * 1000, ps / pc * 1000, pc, fs / fc * 1000, fc }'
echo
echo "Catch-up: an empty node applied $events_total events in $catchup_ms ms (start to ready and in HAProxy's rotation): $(awk -v n="$events_total" -v t="$catchup_ms" 'BEGIN { printf "%.0f", n / (t / 1000) }') events/s."
set -- $failover
echo "Failover: kill -9 of node2 under $rate POST/s through HAProxy; out of rotation after $out_ms ms; $5 of $1 requests failed; p99 $4 ms, max $6 ms."
if [ "$smoke" = 1 ]; then
  set -- $lb_post
  [ "$2" -gt 0 ] && [ "$6" = 0 ] || { echo "cluster-bench: the cluster served no POST, or with errors" >&2; exit 1; }
fi
