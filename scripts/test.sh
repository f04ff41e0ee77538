#!/usr/bin/env bash
# The test command (README "Try it"; docs/testing.md "The tests"): sets up .venv, then runs the
# test suite against a throwaway MariaDB server the session starts itself.
# Extra arguments go to pytest, e.g. scripts/test.sh -k restore
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/bootstrap.sh"
cd "$repo"
bash scripts/lint.sh  # MySQL 8 lint of dbt/ and macros/ (docs/lint.md "Running it")
exec pytest "$@"
