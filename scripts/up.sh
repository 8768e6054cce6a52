#!/usr/bin/env bash
# The main job: build what is needed, then run the shop example as a local mesh.
# Arguments are passed to `trellis up` (default: examples/shop/mesh.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null && command -v mvn >/dev/null || {
  echo "up: java and mvn: not found (expected: JDK 17+ and Maven 3.8+ on PATH)" >&2; exit 1; }
echo "Building Trellis (first time: a few minutes; then seconds)..."
mvn -B -q -ntp -DskipTests -pl cli -am install
exec java -jar cli/target/trellis.jar up "${@:-examples/shop/mesh.yaml}"
