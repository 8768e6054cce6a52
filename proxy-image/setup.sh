#!/usr/bin/env bash
# proxy-image's test prerequisite beyond the JDK: h2spec, which H2specConformanceTest runs against
# the h2c listeners (the same version the benchmark installs). Needs Go; idempotent.
set -euo pipefail
H2SPEC_MODULE="github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible"
if command -v h2spec >/dev/null 2>&1 || [ -x "$(go env GOPATH 2>/dev/null)/bin/h2spec" ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "proxy-image/setup.sh: go: not found (expected: Go on PATH, to install h2spec for H2specConformanceTest)" >&2
  exit 1
fi
echo "proxy-image/setup.sh: installing h2spec (go install $H2SPEC_MODULE)"
(cd /tmp && GOFLAGS=-buildvcs=false go install "$H2SPEC_MODULE")
