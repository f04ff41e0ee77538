"""`source scripts/bootstrap.sh` in a shell of one's own: it gives the venv and changes nothing else."""
from __future__ import annotations

import subprocess

from safeguard_testing.harness import REPO_ROOT


def sourced(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)


def test_sourcing_bootstrap_leaves_the_callers_shell_options_alone():
    done = sourced('set +e +u +o pipefail; source scripts/bootstrap.sh; echo "opts=$-"; shopt -o pipefail; '
                   'false; echo "still here"; command -v safeguard')
    assert done.returncode == 0, done.stderr
    opts = done.stdout.split("opts=", 1)[1].split()[0]
    assert "e" not in opts and "u" not in opts, opts
    assert "pipefail" in done.stdout and "off" in done.stdout.split("pipefail", 1)[1].splitlines()[0]
    assert "still here" in done.stdout  # a failing command after it does not close the shell
    assert done.stdout.strip().endswith("/bin/safeguard")  # the venv is on PATH


def test_a_failing_bootstrap_returns_to_the_shell_instead_of_closing_it():
    done = sourced('SAFEGUARD_DBT=nope source scripts/bootstrap.sh; echo "rc=$?"; echo "still here"')
    assert "rc=2" in done.stdout and "still here" in done.stdout
    assert "SAFEGUARD_DBT is 'nope'" in done.stderr
