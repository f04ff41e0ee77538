#!/usr/bin/env bash
# The adapter's proof (docs/testing.md "The adapter"): dbt-tests-adapter's
# suites in adapter/tests on a throwaway MariaDB, under both adapter types,
# in the current-dbt line's virtualenv. Extra arguments go to pytest, e.g.
# scripts/test_adapter.sh -k snapshot
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SAFEGUARD_DBT=current source "$repo/scripts/bootstrap.sh"
cd "$repo/adapter"
status=0
for adapter_type in mysql mariadb; do
  echo "== dbt-tests-adapter suites, adapter type $adapter_type" >&2
  python -m pytest tests --adapter-type "$adapter_type" -q "$@" || status=1
done
exit $status
