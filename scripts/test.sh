#!/usr/bin/env bash
# The one test command (README, CI): installs what the tests need, then builds and tests every module.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec mvn -B -ntp verify "$@"
