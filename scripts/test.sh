#!/usr/bin/env bash
# The one test command (README, CI): installs what the tests need, builds and tests every module,
# then checks the benchmark harness (its own tests, and a few seconds of each peer: no thresholds).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mvn -B -ntp verify "$@"
benchmark/run.sh --install-only   # the peers the harness's tests start (nginx, HAProxy, Envoy, fortio)
python3 -m unittest benchmark/test_bench.py
benchmark/run.sh --smoke
