#!/usr/bin/env bash
# Does the sidecar hold TARGETS targets (each probed every second) inside a memory limit of
# LIMIT MiB, as Kubernetes sets one? A cgroup v1 memory group (root), a redis-server of its own,
# the built sidecar (npm run build) for SECONDS; prints the peak charge, OOM kills and failures.
#   bash bench/memory-limit.sh 128 1000 15 [node flags, default --max-semi-space-size=8]
set -euo pipefail
limit=$1 targets=$2 seconds=$3
shift 3
flags=("$@")
((${#flags[@]} > 0)) || flags=(--max-semi-space-size=8)
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
group=/sys/fs/cgroup/memory/redis-health-bench-$$
redis_port=$((20000 + RANDOM % 10000)) http_port=$((30000 + RANDOM % 10000))
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  sleep 0.3
  rmdir "$group" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
redis-server --port "$redis_port" --save '' --maxclients 20000 --daemonize yes --dir "$work" >/dev/null
{
  echo "listen: 127.0.0.1:$http_port"
  echo 'log: { level: warn }'
  echo 'defaults: { interval: 1s, timeout: 500ms }'
  echo 'targets:'
  for ((i = 0; i < targets; i++)); do echo "  - { name: t$i, url: 'redis://127.0.0.1:$redis_port/0' }"; done
} >"$work/config.yaml"
mkdir "$group"
echo $((limit * 1024 * 1024)) >"$group/memory.limit_in_bytes"
(
  echo "$BASHPID" >"$group/cgroup.procs"
  exec node "${flags[@]}" "$root/dist/main.js" --config "$work/config.yaml"
) &
pid=$!
exec 2>/dev/null # the shell reports the OOM kill itself; the summary says it
worst=0
for ((s = 0; s < seconds + 3; s++)); do
  sleep 1
  kill -0 "$pid" 2>/dev/null || break
  ((s < 3)) && continue
  ms=$( (curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$http_port/metrics" || echo 0) | awk '{print int($1 * 1000)}')
  ((ms > worst)) && worst=$ms
done
alive=yes
kill -0 "$pid" 2>/dev/null || alive=no
failures=$( (curl -s "http://127.0.0.1:$http_port/metrics" 2>/dev/null || true) |
  awk '/^redis_health_probes_total\{/ && !/result="(ok|inconclusive)"/ {s += $2} END {print s + 0}')
echo "targets=$targets limit=${limit}MiB alive=$alive" \
  "charged_max=$(($(cat "$group/memory.max_usage_in_bytes") / 1048576))MiB" \
  "oom_kills=$(awk '/oom_kill /{print $2}' "$group/memory.oom_control")" \
  "metrics_worst=${worst}ms false_failures=$failures flags=${flags[*]}"
