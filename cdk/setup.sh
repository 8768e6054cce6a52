#!/usr/bin/env bash
# Called by scripts/setup.sh: the cdk module's tools (the pinned aws-cdk CLI, cfn-lint).
exec bash "$(dirname "$0")/bin/install-tools"
