#!/usr/bin/env bash
# Creates .venv and installs the project with its dev extras and the test
# support package (testing/), once per change of either pyproject.toml.
# Sourced by scripts/test.sh and scripts/demo.sh; `source` it for a shell.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"
stamp="$venv/.installed-$(cat "$repo/pyproject.toml" "$repo/testing/pyproject.toml" | sha1sum | cut -c1-12)"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing dbt-safeguard and its dev tools (dbt, sqlfluff, boto3, moto) into .venv;" \
       "the first time takes about 3 minutes (log: .venv/pip.log)" >&2
  started=$SECONDS
  # pip is noisy about the machine's local indexes: keep its output in a log
  # and show the end of it only when the install fails.
  if ! "$venv/bin/python" -m pip install -e "$repo[dev]" -e "$repo/testing" >"$venv/pip.log" 2>&1; then
    tail -n 30 "$venv/pip.log" >&2
    echo "bootstrap: pip install failed after $((SECONDS - started))s; the full log is $venv/pip.log" >&2
    exit 1
  fi
  rm -f "$venv"/.installed-*
  touch "$stamp"
  echo "bootstrap: .venv ready in $((SECONDS - started))s; later runs reuse it until a pyproject.toml changes" >&2
fi
export PATH="$venv/bin:$PATH"
# dbt's anonymous usage tracking would try to reach the internet.
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
export DO_NOT_TRACK=1
