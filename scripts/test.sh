#!/usr/bin/env bash
# The test command (README "Try it"; docs/testing.md "The tests"): sets up .venv, then runs the
# test suite against a throwaway MariaDB server the session starts itself.
# Extra arguments go to pytest, e.g. scripts/test.sh -k restore
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/bootstrap.sh"
cd "$repo"
# The history page's browser test (tests/cli/test_history.py) renders it in
# Debian's headless chromium: installed here, once, where we may.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing Debian's chromium for the history page's browser test (1-2 minutes, once; log: .venv/apt.log)" >&2
    { apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; } >.venv/apt.log 2>&1 ||
      echo "test: chromium could not be installed (see .venv/apt.log): the browser test will fail" >&2
  else
    echo "test: no chromium on PATH: the history page's browser test will fail (Debian: apt-get install chromium)" >&2
  fi
fi
echo "test: MySQL 8 lint of dbt/ and macros/ (about a minute), then pytest" >&2
bash scripts/lint.sh  # MySQL 8 lint of dbt/ and macros/ (docs/lint.md "Running it")
exec pytest "$@"
