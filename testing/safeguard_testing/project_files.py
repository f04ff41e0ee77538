"""Working copies of a dbt project that uses the safeguard package."""
from __future__ import annotations

import shutil
from pathlib import Path


def copy_project(source: Path, destination: Path, package_root: Path) -> Path:
    """Copy `source` (without build output) to `destination`, installing the
    safeguard package from `package_root` with a `local:` entry, since the
    project's own `local: ..` no longer points at the package once moved."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    (destination / "packages.yml").write_text(f"packages:\n  - local: {Path(package_root).resolve()}\n")
    return destination
