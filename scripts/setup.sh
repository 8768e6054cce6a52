#!/usr/bin/env bash
# Installs what the build and tests need beyond a JDK and Maven, idempotently:
# the moto server (AWS API emulator) and cfn-lint from PyPI, and the aws-cdk CLI from npm.
# Every step checks first, so on a prepared machine this takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }

for tool in java mvn python3 node npm; do
  need "$tool" || { echo "setup: $tool: not found (expected: JDK 17+, Maven 3.8+, Python 3.9+, Node.js 18+ on PATH)" >&2; exit 1; }
done

python_has() { python3 -c "import $1" >/dev/null 2>&1; }
if ! need moto_server && ! python_has moto.server; then
  echo "setup: installing the moto server (pip install 'moto[server]')"
  python3 -m pip install --quiet 'moto[server]'
fi
if ! need cfn-lint; then
  echo "setup: installing cfn-lint (pip install cfn-lint)"
  python3 -m pip install --quiet cfn-lint
fi
# Module-specific installs (the aws-cdk CLI for cdk/, ...) live beside their modules.
for hook in */setup.sh; do
  [ "$hook" = scripts/setup.sh ] && continue
  if [ -x "$hook" ]; then "$hook"; fi
done
exit 0
