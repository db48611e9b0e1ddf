#!/usr/bin/env bash
# Runs the fl4j test suite from a clean clone: installs the Debian dataset package the loader tests
# read (scripts/setup.sh), then builds every module and runs its tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
exec mvn -B test
