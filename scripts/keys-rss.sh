#!/usr/bin/env bash
# Measures the resident memory of the etcdeck console binary (not the member) while it browses a
# large keyspace in a real terminal (tmux): every resource directory under /registry/, every
# namespace of pods, events, configmaps and secrets, and the 100,000-key directory loaded to its
# end. Prints VmRSS now and VmHWM (peak) of the console process.
#
# Usage: scripts/keys-rss.sh HOST:PORT
# The member must hold the keyspace of k8s.DefaultShape (embednode/nodetest/k8s). One way (loads ~950 MB once, then
# reuses it from /tmp/etcdeck-bench):
#   go test ./cluster -run XXX -bench BrowseAll -benchtime 1x      # loads the data dir
#   go run . member --data-dir /tmp/etcdeck-bench/k8s-400000-1024-100000-200.etcd \
#     --listen-client-urls http://127.0.0.1:24000 --listen-peer-urls http://127.0.0.1:24001 &
#   scripts/keys-rss.sh 127.0.0.1:24000
set -euo pipefail
ep=${1:?usage: $0 HOST:PORT}
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/etcdeck
go build -o "$bin" .
sock=$(mktemp -u)
t() { tmux -S "$sock" "$@"; }
screen() { t capture-pane -p -t rss; }
wait_for() { # text, timeout seconds
  for _ in $(seq 1 $(($2 * 20))); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
  echo "timed out waiting for: $1" >&2; screen >&2; return 1
}
goto() { t send-keys -t rss ":"; t send-keys -t rss -l "$1"; t send-keys -t rss Enter; wait_for " Keys  $1" 10; }

t new-session -d -s rss -x 120 -y 40 "$bin --endpoints $ep; sleep 60"
trap 't kill-server 2>/dev/null || true' EXIT
wait_for "leader" 30
pid=$(pgrep -n -f "^$bin --endpoints")

namespaces=$(ETCDCTL_API=3 etcdctl --endpoints "$ep" get /registry/namespaces/ --prefix --keys-only | sed -n 's#^/registry/namespaces/##p')
resources="events pods replicasets configmaps secrets services/specs services/endpoints deployments"
start=$(date +%s)
dirs=0
for r in $resources; do goto "/registry/$r/"; dirs=$((dirs + 1)); done
for r in pods events configmaps secrets; do
  for ns in $namespaces; do goto "/registry/$r/$ns/"; dirs=$((dirs + 1)); done
done
goto /registry/pods/big/
t send-keys -t rss G
for _ in $(seq 1 200); do screen | grep -q "100,000 rows" && ! screen | grep -q "more not loaded" && break; t send-keys -t rss G; sleep 0.1; done
wait_for "100,000 rows" 30
dirs=$((dirs + 1))
goto /registry/
echo "browsed $dirs directories (the 100,000-key one to its end) in $(( $(date +%s) - start ))s"
grep -E 'VmRSS|VmHWM' /proc/$pid/status
t send-keys -t rss q
