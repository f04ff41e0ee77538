#!/usr/bin/env bash
# MySQL 8 lint (docs/lint.md "Running it"): every dbt model rendered with is_incremental()
# true and false, plus its hooks, parsed by MySQL's grammar and checked by the
# safeguard sqlfluff rules.
# No arguments: the reference project and the package macros (what CI checks).
# With arguments: just those files or folders (what pre-commit passes).
# bootstrap.sh installs MySQL's grammar, so here a missing grammar is a failure.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/bootstrap.sh"
cd "$repo"
if [ "$#" -eq 0 ]; then
  set -- dbt macros
fi
exec safeguard lint --require-grammar "$@"
