"""The repository layout must not break the installed packages."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dbt

from harness import REFERENCE_PROJECT, REPO_ROOT


def test_root_dbt_folder_does_not_join_the_dbt_namespace_package():
    """dbt's __init__ extends its __path__ over sys.path, so a repo root on
    sys.path would merge the reference project into `dbt`; pytest's importlib
    mode and the console scripts keep it off."""
    paths = [Path(p).resolve() for p in dbt.__path__]
    assert REFERENCE_PROJECT.resolve() not in paths


def test_console_scripts_run_from_the_repository_root():
    """Glue and CI run commands from the checkout: the `dbt` and `safeguard` scripts still import cleanly."""
    bin_dir = Path(sys.executable).parent
    for command in ([str(bin_dir / "dbt"), "--version"], [str(bin_dir / "safeguard"), "--help"]):
        completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stderr
    probe = subprocess.run(
        [str(bin_dir / "python"), "-I", "-c", "import dbt; print(dbt.__path__)"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert str(REFERENCE_PROJECT) not in probe.stdout
