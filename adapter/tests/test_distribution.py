"""The adapter refuses to start beside dbt-mysql 1.7, which owns the same modules."""
from __future__ import annotations

import os
import subprocess
import sys


def _import_plugin(module: str, extra_path: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, env.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, env=env,
                          timeout=120)


def _fake_dbt_mysql_install(tmp_path) -> str:
    # What pip leaves for an installed distribution: its .dist-info metadata,
    # which importlib.metadata finds on sys.path.
    info = tmp_path / "dbt_mysql-1.7.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dbt-mysql\nVersion: 1.7.0\n")
    return str(tmp_path)


def test_both_types_load_without_dbt_mysql():
    for module in ("dbt.adapters.mysql", "dbt.adapters.mariadb"):
        result = _import_plugin(module)
        assert result.returncode == 0, result.stderr


def test_refuses_with_one_line_when_dbt_mysql_is_installed(tmp_path):
    site = _fake_dbt_mysql_install(tmp_path)
    for module in ("dbt.adapters.mysql", "dbt.adapters.mariadb"):
        result = _import_plugin(module, site)
        assert result.returncode != 0
        last = result.stderr.strip().splitlines()[-1]
        assert "dbt-mysql 1.7.0 is installed in the same environment" in last
        assert "pip uninstall dbt-mysql" in last
