"""The user's dbt project, read from its files with PyYAML, without starting dbt.

The one place that finds a dbt project (`--project-dir`, or the nearest
folder upward with a `dbt_project.yml`) and reads what the recovery commands
need from it: the `safeguard_*` vars and the profile's target schema. Starting
dbt to learn them costs 8-15 s of parsing; these files answer in
milliseconds. Values that are Jinja (`"{{ env_var('X', 'd') }}"`, as
profiles for CI and Glue are written) are rendered with the few functions
dbt's YAML context offers for them, and nothing else.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional

import jinja2.sandbox
import yaml

from .errors import FatalError, UsageError

PACKAGE_NAME = "safeguard"  # the `name:` of the package's own dbt_project.yml
PROJECT_FILE = "dbt_project.yml"


def find_project_dir(given: Optional[str], start: Optional[Path] = None) -> Path:
    """`given`, or the nearest folder from `start` upward that holds a dbt_project.yml."""
    if given is not None:
        project = Path(given).resolve()
        if not (project / PROJECT_FILE).is_file():
            raise UsageError(f"--project-dir {given}: no {PROJECT_FILE} there")
        return _not_the_package(project)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return _not_the_package(folder)
    raise UsageError(f"no {PROJECT_FILE} in {here} or above it; run this in your dbt project or pass --project-dir")


def find_profiles_dir(given: Optional[str], project: Path) -> Path:
    """dbt's own order: --profiles-dir, DBT_PROFILES_DIR, the project folder, ~/.dbt."""
    if given is not None:
        return Path(given).resolve()
    if os.environ.get("DBT_PROFILES_DIR"):
        return Path(os.environ["DBT_PROFILES_DIR"]).resolve()
    if (project / "profiles.yml").is_file():
        return project
    return Path.home() / ".dbt"


def read_yaml(path: Path) -> Dict[str, Any]:
    """A YAML file that must hold a mapping; one clear line when it does not."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FatalError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise FatalError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(content, dict):
        raise FatalError(f"{path} is not a mapping; is it a {path.name}?")
    return content


def read_project(project: Path) -> Dict[str, Any]:
    return read_yaml(project / PROJECT_FILE)


def _not_the_package(project: Path) -> Path:
    if read_project(project).get("name") == PACKAGE_NAME:
        # The checkout's root dbt_project.yml is the package, which has no
        # profile: dbt would fail with a less helpful message.
        raise UsageError(
            f"{project} is the safeguard package itself, not a project that uses it; "
            "run this in your dbt project or pass --project-dir (e.g. --project-dir dbt)"
        )
    return project


# dbt renders profiles.yml and dbt_project.yml values with env_var() and a
# few casting filters; a project file that needs more than these is read by
# dbt itself (the caller falls back to asking the server).
_YAML_CONTEXT = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined)
_YAML_CONTEXT.filters.update({"as_number": lambda v: v, "as_text": str, "as_bool": lambda v: v,
                              "as_native": lambda v: v})


def _env_var(name: str, default: Optional[str] = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise FatalError(f"env var {name} is used by the dbt project's files but is not set")
    return default


def render(value: Any) -> Any:
    """A YAML value as dbt would render it (strings only; other types as they are)."""
    if not isinstance(value, str) or "{" not in value:
        return value
    try:
        return _YAML_CONTEXT.from_string(value).render(env_var=_env_var)
    except jinja2.TemplateError as exc:
        raise FatalError(f"cannot render {value!r} from the dbt project's files: {exc}") from None


def project_var(project: Path, name: str) -> Any:
    """A var from dbt_project.yml's top-level `vars:` (none when unset)."""
    variables = read_project(project).get("vars") or {}
    return render(variables.get(name)) if isinstance(variables, dict) else None


def target_schema(project: Path, profiles_dir: Path, target: Optional[str] = None) -> Optional[str]:
    """The schema of the profile's target, or none when the files do not say."""
    profile_name = read_project(project).get("profile")
    path = profiles_dir / "profiles.yml"
    if not profile_name or not path.is_file():
        return None
    profile = read_yaml(path).get(render(profile_name)) or {}
    outputs = profile.get("outputs") or {}
    chosen = target or render(profile.get("target"))
    output = outputs.get(chosen) if isinstance(outputs, dict) else None
    if not isinstance(output, dict):
        return None
    schema = render(output.get("schema") or output.get("database"))
    return str(schema) if schema else None


def catalog_schema(project: Path, profiles_dir: Path, target: Optional[str] = None) -> Optional[str]:
    """Where the package keeps its catalog: var safeguard_catalog_schema, else the target schema.

    The same rule as the package's `_catalog_schema()` macro (macros/config/_settings.sql).
    """
    configured = project_var(project, "safeguard_catalog_schema")
    if configured:
        return str(configured)
    return target_schema(project, profiles_dir, target)
