#!/usr/bin/env bash
# The demo command (README "Try it"; docs/testing.md "The demo"): sets up .venv, starts a throwaway
# MariaDB unless SAFEGUARD_DB_HOST points at a server, and runs the nightly
# job end to end. Extra arguments go to scripts/demo.py: --keep leaves the
# server running to try the recovery commands, --size 1000 a bigger database.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/bootstrap.sh"
exec python "$repo/scripts/demo.py" "$@"
