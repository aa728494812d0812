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

# `go test ./...` links every package's test binary again on each run, even with a warm cache
# (about 95 s of CPU for the 19 binaries that embed etcd: a third of the suite on 2 cores), and so
# does `go test -c` given several packages; `go test -c` of one package keeps its linked binary in
# the build cache. So each package's binary is built alone, then run the way `go test` runs it:
# in its package's directory, four tests at a time. The tests mostly wait (on elections, timeouts,
# tmux), so six packages run at once, the longest first. Flags other than -count, -run, -skip, -v,
# -short and -failfast fall back to plain `go test`.
args=()
for a in "$@"; do
  case "$a" in
    -count=*) ;;                                  # a run binary never reuses a cached result
    -run=*|-skip=*|-v|-short|-failfast) args+=("-test.${a#-}") ;;
    *) exec go test -timeout 20m -p 4 -parallel 4 ./... "$@" ;;
  esac
done

bins=$(mktemp -d)
trap 'rm -rf "$bins"' EXIT
mapfile -t pkgs < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./...)

run_one() { # import path, directory; prints go test's "ok"/"FAIL" line, and the output on failure
  local pkg=$1 dir=$2 out start rc=0 ms bin
  bin="$bins/${pkg//\//_}.test"
  out=$(mktemp "$bins/out.XXXXXX")
  start=$(date +%s%N)
  if ! go test -c -o "$bin" "$pkg" >"$out" 2>&1; then
    cat "$out"
    printf 'FAIL\t%s [build failed]\n' "$pkg"
    return 1
  fi
  # shellcheck disable=SC2086 # TEST_ARGS holds whole flags
  (cd "$dir" && "$bin" -test.paniconexit0 -test.timeout=20m -test.parallel=4 $TEST_ARGS) >"$out" 2>&1 || rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ $rc -eq 0 ]; then
    case " $TEST_ARGS " in *" -test.v "*) cat "$out" ;; esac
    printf 'ok  \t%s\t%d.%03ds\n' "$pkg" $((ms / 1000)) $((ms % 1000))
  else
    cat "$out"
    printf 'FAIL\t%s\t%d.%03ds\n' "$pkg" $((ms / 1000)) $((ms % 1000))
  fi
  return $rc
}
export -f run_one
export bins TEST_ARGS="${args[*]}"
# The longest packages first (their order from a warm run: about 110, 90, 90, 70, 60 and 55 s),
# so the last to start are short ones.
long="cluster embednode . e2e views/keys tui views/clusterview views/watch cluster/monitor views/snapshots"
printf '%s\n' "${pkgs[@]}" | awk -v long="$long" '
  BEGIN { n = split(long, l, " "); for (i = 1; i <= n; i++) rank[l[i] == "." ? "github.com/etcdeck/etcdeck" : "github.com/etcdeck/etcdeck/" l[i]] = n - i + 1 }
  { print (($1 in rank) ? rank[$1] : 0), $0 }' |
  sort -rn -s -k1,1 | cut -d' ' -f2- |
  xargs -P 6 -L 1 bash -c 'run_one "$@"' run_one
