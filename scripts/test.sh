#!/usr/bin/env bash
# Runs etcdeck's whole test suite on a fresh machine: installs what the tests use (tmux for the
# end-to-end tests, Debian's etcd-server 3.4 and etcdctl for the compatibility tests) when it can,
# then checks go.mod is tidy, vets and tests every package.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tmux >/dev/null || need+=(tmux)
[ -x /usr/bin/etcd ] || need+=(etcd-server)
command -v etcdctl >/dev/null || need+=(etcd-client)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    # The package may start a service on 2379; the tests want the port free.
    service etcd stop >/dev/null 2>&1 || true
    pkill -x etcd >/dev/null 2>&1 || true
  else
    echo "not installed: ${need[*]} (the tests that need them will skip)" >&2
  fi
fi

# go.mod says what the code imports: direct requirements are not marked indirect, nothing is
# missing or left over. CI fails here rather than on a contributor's next `go mod tidy`.
if ! tidy=$(go mod tidy -diff 2>&1); then
  echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result. go mod tidy -diff says:" >&2
  echo "$tidy" >&2
  exit 1
fi
go vet ./...
# Most slow tests wait on elections, timeouts and tmux, not the CPU: four packages at a time, and
# four tests at a time in each (3 min 50 s on 2 cores with every issue's tests; -p 2 took 4 min with fewer).
go test -timeout 20m -p 4 -parallel 4 ./... "$@"
