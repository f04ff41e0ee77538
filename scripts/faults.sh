#!/usr/bin/env bash
# The full fault-injection suite (docs/faults.md): every (point x
# fault) case under each adapter type in SAFEGUARD_FAULTS_ADAPTERS (default
# both), then the matrix. Needs root for the tmpfs datadir (the full disk).
# Extra arguments go to pytest, e.g. scripts/faults.sh -k restore
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SAFEGUARD_FAULTS_MATRIX="${SAFEGUARD_FAULTS_MATRIX:-$repo/target/faults-matrix.json}"
mkdir -p "$(dirname "$SAFEGUARD_FAULTS_MATRIX")"
exec bash "$repo/scripts/test.sh" tests/faults -m "faults or not faults" "$@"
