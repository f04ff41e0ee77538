#!/usr/bin/env bash
# Creates .venv and installs the project with its dev extras, once per change
# of pyproject.toml. Sourced by scripts/test.sh and scripts/demo.sh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"
stamp="$venv/.installed-$(sha1sum "$repo/pyproject.toml" | cut -c1-12)"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ]; then
  # pip is noisy about the machine's local indexes: keep its output in a log
  # and show the end of it only when the install fails.
  if ! "$venv/bin/python" -m pip install -e "$repo[dev]" >"$venv/pip.log" 2>&1; then
    tail -n 30 "$venv/pip.log" >&2
    exit 1
  fi
  rm -f "$venv"/.installed-*
  touch "$stamp"
fi
export PATH="$venv/bin:$PATH"
# dbt's anonymous usage tracking would try to reach the internet.
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
export DO_NOT_TRACK=1
