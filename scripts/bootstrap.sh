#!/usr/bin/env bash
# Creates the virtualenv of one dbt line and installs the project with its dev
# extras and the test support package (testing/), once per change of a
# pyproject.toml. Sourced by scripts/test.sh and scripts/demo.sh; `source` it
# for a shell.
#   SAFEGUARD_DBT=1.7      dbt-core 1.7 with dbt-mysql 1.7.0
#   SAFEGUARD_DBT=current  dbt-core 1.11 with this repository's adapter (adapter/)
# The default line lives in .venv, the other in .venv-<line>: the two
# adapters install the same modules and cannot share an environment.
# Everything runs inside one function, so sourcing this file from an
# interactive shell changes nothing but PATH and the variables it exports:
# no `set -e` is left behind (it would close the terminal at the next failing
# command), and a failure returns instead of exiting the shell.
_safeguard_bootstrap() {
  local repo line extra venv constraints stamp started adapter_stamp grammar grammar_stamp default_line
  local -a adapter_install
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  default_line="1.7"  # the line scripts/test.sh, the demo and CI use unless SAFEGUARD_DBT says otherwise
  line="${SAFEGUARD_DBT:-$default_line}"
  case "$line" in
    1.7) extra="dbt17"; adapter_install=() ;;
    current) extra="current"; adapter_install=("$repo/adapter[test]") ;;
    *) echo "bootstrap: SAFEGUARD_DBT is '$line'; expected current or 1.7" >&2; return 2 ;;
  esac
  if [ "$line" = "$default_line" ]; then venv="$repo/.venv"; else venv="$repo/.venv-$line"; fi
  export SAFEGUARD_DBT="$line"
  constraints="$repo/constraints/$line.txt"  # the versions CI tests on this line
  stamp="$venv/.installed-$(cat "$repo/pyproject.toml" "$repo/testing/pyproject.toml" "$repo/adapter/pyproject.toml" "$constraints" | sha1sum | cut -c1-12)"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || return 1
  fi
  if [ ! -f "$stamp" ]; then
    echo "bootstrap: installing dbt-safeguard and its dev tools (dbt line $line, sqlfluff, boto3, moto) into $venv;" \
         "the first time takes about 3 minutes (log: $venv/pip.log)" >&2
    started=$SECONDS
    # pip is noisy about the machine's local indexes: keep its output in a log
    # and show the end of it only when the install fails.
    if ! "$venv/bin/python" -m pip install -c "$constraints" "${adapter_install[@]}" -e "$repo[dev,$extra]" -e "$repo/testing" >"$venv/pip.log" 2>&1; then
      tail -n 30 "$venv/pip.log" >&2
      echo "bootstrap: pip install failed after $((SECONDS - started))s; the full log is $venv/pip.log" >&2
      return 1
    fi
    rm -f "$venv"/.installed-*
    touch "$stamp"
    echo "bootstrap: $venv (dbt line $line) ready in $((SECONDS - started))s; later runs reuse it until a pyproject.toml changes" >&2
  fi
  # The adapter is installed as a regular package, not editable: dbt lists
  # plugins (`dbt --version`) by the files under site-packages/dbt/adapters,
  # which an editable install does not put there. Reinstalled (no deps, a few
  # seconds) whenever a file under adapter/ changes.
  if [ "$line" = "current" ]; then
    adapter_stamp="$venv/.adapter-$(cd "$repo/adapter" && find pyproject.toml src -type f ! -name '*.pyc' | sort | xargs cat | sha1sum | cut -c1-12)"
    if [ ! -f "$adapter_stamp" ]; then
      if ! "$venv/bin/python" -m pip install --no-deps --force-reinstall -c "$constraints" "$repo/adapter" >"$venv/pip-adapter.log" 2>&1; then
        tail -n 30 "$venv/pip-adapter.log" >&2
        echo "bootstrap: installing adapter/ failed; the full log is $venv/pip-adapter.log" >&2
        return 1
      fi
      rm -f "$venv"/.adapter-*
      touch "$adapter_stamp"
    fi
  fi
  export PATH="$venv/bin:$PATH"
  # MySQL's grammar for the lint (src/dbt_safeguard/lint/grammar_gate.py): the
  # exact packages of package-lock.json, from npm's cache when it has them. Once
  # per change of the lock file or of the helper (its startup snapshot).
  grammar="$repo/src/dbt_safeguard/lint/grammar"
  # The startup snapshot bundles the helper's own files too: rebuilt when they change.
  grammar_stamp="$grammar/node_modules/.installed-$(cat "$grammar/package-lock.json" "$grammar/gate.js" "$grammar/rewrite.js" "$grammar/warm_up.sql" "$grammar/build_snapshot.js" | sha1sum | cut -c1-12)"
  if [ ! -f "$grammar_stamp" ] && ! command -v npm >/dev/null; then
    echo "bootstrap: npm not found: the lint cannot check SQL against MySQL's grammar; install Node.js" >&2
  elif [ ! -f "$grammar_stamp" ]; then
    echo "bootstrap: installing MySQL's grammar for the lint (npm ci, then a warmed-up startup snapshot);" \
         "about 40 s the first time (log: $venv/npm.log)" >&2
    started=$SECONDS
    if ! (cd "$grammar" && npm ci --omit=dev --prefer-offline --no-audit --no-fund) >"$venv/npm.log" 2>&1; then
      tail -n 30 "$venv/npm.log" >&2
      return 1
    fi
    # The warmed-up startup snapshot (build_snapshot.js) is optional: without it
    # each lint run loads and warms up the parser itself.
    (cd "$grammar" && node build_snapshot.js) >>"$venv/npm.log" 2>&1 ||
      echo "bootstrap: no startup snapshot for the grammar helper (see $venv/npm.log); the lint is slower without it" >&2
    rm -f "$grammar"/node_modules/.installed-*
    touch "$grammar_stamp"
    echo "bootstrap: MySQL's grammar ready in $((SECONDS - started))s" >&2
  fi
  # dbt's anonymous usage tracking would try to reach the internet.
  export DBT_SEND_ANONYMOUS_USAGE_STATS=false
  export DO_NOT_TRACK=1
}
if _safeguard_bootstrap; then
  unset -f _safeguard_bootstrap
else
  _safeguard_status=$?
  unset -f _safeguard_bootstrap
  return "$_safeguard_status" 2>/dev/null || exit "$_safeguard_status"
fi
