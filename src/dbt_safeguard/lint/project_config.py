"""Which dbt project a lint run is in, what it lints by default, and its sqlfluff settings.

``safeguard lint`` runs from any folder of a dbt project: the project is the
nearest folder at or above the working directory with a ``dbt_project.yml``.
Without paths it lints that project's model, snapshot and macro paths and its
``dbt_project.yml`` (for the hook SQL in it).

The sqlfluff settings are the project's own (``.sqlfluff``, ``setup.cfg``,
``tox.ini`` or ``pyproject.toml``, as sqlfluff reads them) with three core
settings always forced, because the lint means nothing without them:
``dialect = mysql``, ``templater = safeguard_dbt`` and ``rules = safeguard``.
A project without any sqlfluff config gets ``DEFAULT_TEMPLATER_SETTINGS``
filled in from its ``dbt_project.yml``. ``SQLFLUFF_TEMPLATE`` is the
documented starting point for a project's own ``.sqlfluff``.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from sqlfluff.core import FluffConfig

from ..errors import FatalError
from .mysql_versions import DEFAULT_TARGET_VERSION
from .created_functions import created_functions

TEMPLATER = "safeguard_dbt"
FORCED_CORE = {"dialect": "mysql", "templater": TEMPLATER, "rules": "safeguard"}

SQLFLUFF_TEMPLATE = f"""\
# .sqlfluff for `safeguard lint` in a dbt project (put it next to dbt_project.yml).
# safeguard lint always uses dialect = mysql, templater = {TEMPLATER} and
# rules = safeguard; the lines below say so for plain `sqlfluff lint` too.
[sqlfluff]
dialect = mysql
templater = {TEMPLATER}
rules = safeguard
max_line_length = 0
large_file_skip_byte_limit = 0

[sqlfluff:templater:{TEMPLATER}]
# The dbt project (dbt_project.yml: vars, folder materializations).
project_dir = .
# Macros the models call: the project's own and the installed packages'.
load_macros_from_path = macros,dbt_packages/safeguard/macros
# Packages whose macros are called as <name>.<macro>().
package_names = safeguard

[sqlfluff:rules]
# The oldest MySQL server the SQL must run on; {DEFAULT_TARGET_VERSION} is Aurora MySQL 3.04.
mysql_target_version = {DEFAULT_TARGET_VERSION}
"""


def find_project_root(start: Optional[str] = None) -> Optional[Path]:
    """The nearest folder at or above start (default: the working directory) with a dbt_project.yml."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    return None


def _read_project(root: Path) -> Dict[str, Any]:
    path = root / "dbt_project.yml"
    try:
        project = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FatalError(f"safeguard lint: cannot read {path}: {exc}") from None
    if not isinstance(project, dict):
        raise FatalError(f"safeguard lint: {path} is not a mapping; is it a dbt_project.yml?")
    return project


def _paths(project: Dict[str, Any], key: str, default: List[str]) -> List[str]:
    value = project.get(key, default)
    return [str(p) for p in value] if isinstance(value, list) else list(default)


def default_paths(root: Path) -> List[str]:
    """What `safeguard lint` without paths lints: the project's SQL folders that exist, and dbt_project.yml."""
    project = _read_project(root)
    folders = (
        _paths(project, "model-paths", ["models"])
        + _paths(project, "snapshot-paths", ["snapshots"])
        + _paths(project, "macro-paths", ["macros"])
    )
    found = [str(root / f) for f in dict.fromkeys(folders) if (root / f).is_dir()]
    return found + [str(root / "dbt_project.yml")]


def installed_packages(root: Path) -> Dict[str, Path]:
    """dbt packages installed under dbt_packages/: package name -> its folder."""
    packages = {}
    folder = root / "dbt_packages"
    if folder.is_dir():
        for child in sorted(folder.iterdir()):
            if (child / "dbt_project.yml").is_file():
                name = _read_project(child).get("name") or child.name
                packages[str(name)] = child
    return packages


def default_templater_settings(root: Path) -> Dict[str, str]:
    """The templater settings for a project that has no sqlfluff config of its own."""
    if not (root / "dbt_project.yml").is_file():
        return {}  # loose files outside any dbt project
    project = _read_project(root)
    macro_folders = [root / p for p in _paths(project, "macro-paths", ["macros"])]
    names = []
    for name, folder in installed_packages(root).items():
        names.append(name)
        macro_folders += [folder / p for p in _paths(_read_project(folder), "macro-paths", ["macros"])]
    settings = {"project_dir": str(root)}
    existing = [str(f) for f in macro_folders if f.is_dir()]
    if existing:
        settings["load_macros_from_path"] = ",".join(existing)
    if names:
        settings["package_names"] = ",".join(names)
    return settings


@functools.lru_cache(maxsize=4)
def project_functions(root: Path) -> str:
    """The functions the project's SQL and YAML create, comma-separated (SG11's
    mysql_functions): a call to one of them is no missing function."""
    if not (root / "dbt_project.yml").is_file():
        return ""
    project = _read_project(root)
    folders = {p for key in ("model-paths", "macro-paths", "snapshot-paths", "analysis-paths", "test-paths")
               for p in _paths(project, key, [])} | {"models", "macros", "snapshots"}
    files = [root / "dbt_project.yml"]
    for folder in sorted(folders):
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
            files += [Path(dirpath) / f for f in sorted(filenames) if f.endswith((".sql", ".yml", ".yaml"))]
    names = set()
    for path in files:
        try:
            names.update(created_functions(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue  # unreadable: the lint of that file says so
    return ",".join(sorted(names))


def project_config(root: Path) -> FluffConfig:
    """The sqlfluff settings `safeguard lint` uses in the project at root."""
    return complete(FluffConfig.from_path(str(root), overrides=dict(FORCED_CORE)), root)


def complete(config: FluffConfig, root: Path) -> FluffConfig:
    """Fill in the templater settings a project's config leaves out, in place.

    Applied to the root config and to each file's (sqlfluff rebuilds a file's
    config from the config files on its path, which knows nothing of these).
    """
    section = ["templater", TEMPLATER]
    project_dir = config.get_section((*section, "project_dir"))
    if project_dir is None:
        for key, value in default_templater_settings(root).items():
            if config.get_section((*section, key)) is None:
                config.set_value([*section, key], value)
    elif not os.path.isabs(str(project_dir)):
        # Relative to the config file at the project root, not to where the lint runs.
        config.set_value([*section, "project_dir"], str(root / str(project_dir)))
    defined = project_functions(root)
    if defined:
        listed = str(config.get("mysql_functions", section="rules") or "")
        config.set_value(["rules", "mysql_functions"], ",".join(p for p in (listed, defined) if p))
    return config
