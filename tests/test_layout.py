"""The repository layout must not break the installed packages."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dbt

from safeguard_testing.harness import REFERENCE_PROJECT, REPO_ROOT


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


def test_the_wheel_holds_no_test_or_demo_code(tmp_path):
    """Build the wheel as a user would (pip wheel) and list it: only the
    runtime package, none of the test and demo support in testing/."""
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(REPO_ROOT)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    (wheel,) = tmp_path.glob("dbt_safeguard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    modules = sorted(n for n in names if n.endswith(".py"))
    assert modules and all(n.startswith("dbt_safeguard/") for n in modules), modules
    shipped = {Path(n).stem for n in modules}
    for test_support in ("local_server", "project_files", "tenant_data", "oltp_simulation", "oltp_day", "oltp_dump",
                         "harness", "reference_warehouse", "dump_files", "lint_helpers", "conftest", "demo"):
        assert test_support not in shipped
    assert not [n for n in names if n.startswith(("tests/", "testing/", "safeguard_testing/", "scripts/"))]
    assert "dbt_safeguard/glue_job.py" in names and "dbt_safeguard/cli/main.py" in names
    # The Node helper ships as source; its node_modules (installed in the
    # source tree by bootstrap's npm ci) must not ride along.
    assert "dbt_safeguard/lint/grammar/gate.js" in names
    assert not [n for n in names if "node_modules" in n]
