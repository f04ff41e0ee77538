"""Stand-ins for what dbt puts in a model's jinja context, without a database.

``config``, ``ref``, ``source``, ``this``, ``is_incremental()``, ``flags``,
``adapter``, ``run_query`` and friends render the way dbt-mysql renders them,
for one chosen branch (see ``dbt_templater``). What a render tells about the
model (its ``config()`` values and hooks, whether it asked for its branch) is
collected in a ``RenderRecord`` that the caller passes in and reads back.
"""
from __future__ import annotations

import datetime
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from .sqlfluff_internals import DBT_ZIP, Placeholder

# What `target.schema` and an unconfigured model schema render as.
DEFAULT_SCHEMA = "analytics"


def _quote(name: str) -> str:
    return "`" + str(name).replace("`", "``") + "`"


class Relation:
    """Renders like a dbt-mysql relation: `schema`.`identifier`."""

    def __init__(self, schema: Optional[str], identifier: str):
        self.schema = schema
        self.identifier = identifier
        self.name = identifier
        self.table = identifier
        self.database = schema

    def __str__(self) -> str:
        if self.schema:
            return f"{_quote(self.schema)}.{_quote(self.identifier)}"
        return _quote(self.identifier)

    def include(self, *args: Any, **kwargs: Any) -> "Relation":
        return self

    def render(self) -> str:
        return str(self)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("is_"):
            return name in ("is_table",)
        raise AttributeError(name)


class ModelConfig:
    """dbt's ``config``: callable in a model, ``config.get`` in macros.

    Records every call so the runner can lint the hooks and ``is_incremental()``
    can tell an incremental model from a table or view.
    """

    def __init__(self) -> None:
        self.values: Dict[str, Any] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        for mapping in args:
            if isinstance(mapping, dict):
                self._merge(mapping)
        self._merge(kwargs)
        return ""

    def _merge(self, mapping: Dict[str, Any]) -> None:
        for key, value in mapping.items():
            key = key.replace("-", "_")
            if key in ("pre_hook", "post_hook"):
                hooks = value if isinstance(value, (list, tuple)) else [value]
                recorded = self.values.setdefault(key, [])
                for hook in hooks:
                    sql = hook.get("sql") if isinstance(hook, dict) else hook
                    # The tracer renders a file more than once: record each hook once.
                    if isinstance(sql, str) and sql not in recorded:
                        recorded.append(sql)
            else:
                self.values[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def require(self, key: str) -> Any:
        return self.values.get(key, "")

    @property
    def hooks(self) -> List[str]:
        return list(self.values.get("pre_hook", [])) + list(self.values.get("post_hook", []))


class Flags:
    """dbt's ``flags``; reading FULL_REFRESH marks the render as branch-dependent."""

    WHICH = "run"
    STORE_FAILURES = False

    def __init__(self, full_refresh):
        self._full_refresh = full_refresh

    @property
    def FULL_REFRESH(self) -> bool:  # noqa: N802 - dbt's name
        return self._full_refresh()

    def __getattr__(self, name: str) -> Any:
        return None


class Adapter:
    """The bits of dbt's ``adapter`` a model or macro may touch while rendering."""

    def __init__(self, context: Dict[str, Any]):
        self._context = context

    def dispatch(self, macro_name: str, macro_namespace: Optional[str] = None, **_: Any):
        for prefix in ("mysql__", "default__", ""):
            macro = self._context.get(prefix + macro_name)
            if macro is not None:
                return macro
        raise KeyError(f"adapter.dispatch: no macro {macro_name!r} (or mysql__/default__ variant)")

    def quote(self, name: str) -> str:
        return _quote(name)

    def get_relation(self, *args: Any, **kwargs: Any) -> None:
        return None

    def get_columns_in_relation(self, *args: Any, **kwargs: Any) -> list:
        return []

    def type(self) -> str:
        return "mysql"


class Namespace:
    """``safeguard.create_backups()``: a package's macros under its name."""

    def __init__(self, context: Dict[str, Any]):
        self._context = context

    # Jinja's sandbox refuses attributes named `_x`, but falls back to item
    # access when the attribute does not exist: private macros resolve here.
    def __getitem__(self, name: str) -> Any:
        return self._context[name]


class _Row(tuple):
    """A result row whose every column reads as 0."""

    def __getitem__(self, index):
        return 0


class _QueryResult:
    """run_query() without a database: one row of zeros, enough for
    `run_query(sql).rows[0][0] | int` and for loops over the rows."""

    columns: list = []

    @property
    def rows(self):
        return [_Row()]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return 1


class SqlPlaceholder(Placeholder):
    """A macro argument or local in a linted SQL block: renders as `name`,
    an identifier that parses wherever a column, table or value can go."""

    def __str__(self) -> str:
        return "`" + self.name.replace(".", "_").replace("`", "") + "`"

    @classmethod
    def create(cls, name: str) -> "SqlPlaceholder":
        return cls(name)


@functools.lru_cache(maxsize=8)
def _read_project(path: str, mtime: float) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _project(project_dir: Optional[str]) -> Dict[str, Any]:
    """dbt_project.yml of the reference project, read once per change."""
    if not project_dir:
        return {}
    path = os.path.join(project_dir, "dbt_project.yml")
    if not os.path.isfile(path):
        return {}
    return _read_project(path, os.path.getmtime(path))


def _project_vars(project: Dict[str, Any]) -> Dict[str, Any]:
    # A dict under `vars:` is scoped to a package; the rest is global.
    return {k: v for k, v in (project.get("vars") or {}).items() if not isinstance(v, dict)}


def _folder_materialization(project: Dict[str, Any], project_dir: Optional[str], fname: Optional[str]) -> Optional[str]:
    """`+materialized` that dbt_project.yml gives the model's folder (the most specific wins)."""
    if not project or not project_dir or not fname:
        return None
    model_path = Path(os.path.abspath(fname))
    for model_dir in project.get("model-paths") or ["models"]:
        root = Path(os.path.abspath(os.path.join(project_dir, model_dir)))
        if root in model_path.parents:
            parts: Tuple[str, ...] = model_path.relative_to(root).with_suffix("").parts
            break
    else:
        return None
    node = (project.get("models") or {}).get(project.get("name"))
    found = None
    for part in ("",) + parts:
        if part:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            break
        found = node.get("+materialized", node.get("materialized", found))
    return found


def _yaml_signature(project: Dict[str, Any], project_dir: str) -> Tuple[Tuple[str, float], ...]:
    """The property files under the model paths, with their modification times."""
    found = []
    for model_dir in project.get("model-paths") or ["models"]:
        for dirpath, dirnames, filenames in os.walk(os.path.join(project_dir, model_dir)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith((".yml", ".yaml")):
                    path = os.path.join(dirpath, name)
                    found.append((path, os.path.getmtime(path)))
    return tuple(found)


@functools.lru_cache(maxsize=4)
def _yaml_configs(signature: Tuple[Tuple[str, float], ...]) -> Dict[str, Dict[str, Any]]:
    """Model name -> the `config:` its properties YAML gives it; a version's
    config (`versions: - v: 2, config: ...`) under `<name>_v<v>`, dbt's file name for it."""
    configs: Dict[str, Dict[str, Any]] = {}
    for path, _ in signature:
        try:
            with open(path, encoding="utf-8") as handle:
                document = yaml.safe_load(handle) or {}
        except (OSError, yaml.YAMLError):
            continue  # not ours to report: dbt parse does
        models = document.get("models") if isinstance(document, dict) else None
        for model in models if isinstance(models, list) else []:
            if not isinstance(model, dict) or not model.get("name"):
                continue
            config = model.get("config") if isinstance(model.get("config"), dict) else {}
            configs[str(model["name"])] = config
            for version in model.get("versions") or []:
                if isinstance(version, dict) and "v" in version:
                    extra = version.get("config") if isinstance(version.get("config"), dict) else {}
                    configs[f"{model['name']}_v{version['v']}"] = {**config, **extra}
    return configs


def _yaml_materialization(project: Dict[str, Any], project_dir: Optional[str], fname: Optional[str]) -> Optional[str]:
    """`materialized` that a properties YAML gives the model (dbt: above dbt_project.yml, below config())."""
    if not project or not project_dir or not fname:
        return None
    config = _yaml_configs(_yaml_signature(project, project_dir)).get(Path(fname).stem, {})
    return config.get("materialized")


class _Target:
    name = "default"
    schema = DEFAULT_SCHEMA
    type = "mysql"
    database = None
    threads = 1
    profile_name = "default"


class _Exceptions:
    def raise_compiler_error(self, message: str = "") -> None:
        raise _CompilerError(message)

    def warn(self, *args: Any, **kwargs: Any) -> str:
        return ""


class _CompilerError(ValueError):
    """A model or macro called exceptions.raise_compiler_error while rendering."""


class _Modules:
    datetime = datetime
    re = re


@dataclass
class RenderRecord:
    """What one render of a file told about the model (filled in while rendering)."""

    model_config: ModelConfig = field(default_factory=lambda: ModelConfig())
    # Did the render ask which branch it is in? If not, every branch renders
    # the same text and the runner renders it once.
    read_branch: bool = False

    @property
    def hooks(self) -> List[str]:
        return self.model_config.hooks

    @property
    def materialized(self) -> Optional[str]:
        return self.model_config.get("materialized")


def dbt_context(
    *,
    branch: str,
    fname: Optional[str],
    project_dir: Optional[str],
    materialized: Optional[str],
    execute: bool,
    package_names: List[str],
    macros: Dict[str, Any],
    record: RenderRecord,
) -> Dict[str, Any]:
    """dbt's context for rendering fname in branch; `macros` is the live context
    the loaded macros will be added to (adapter.dispatch and package namespaces
    look them up there at call time)."""
    model_name = Path(fname).stem if fname else "this_model"
    project = _project(project_dir)
    project_vars = _project_vars(project)
    # A hook renders with its model's materialization (set by the runner);
    # a model with its folder's, unless its config() says otherwise.
    folder_materialized = (
        materialized
        or _yaml_materialization(project, project_dir, fname)
        or _folder_materialization(project, project_dir, fname)
    )
    model_config = record.model_config

    def branch_flag(value: bool):
        def read() -> bool:
            record.read_branch = True
            return value

        return read

    def is_incremental() -> bool:
        record.read_branch = True
        # dbt: false unless the model is incremental, the table exists and
        # the run is not --full-refresh.
        configured = model_config.get("materialized", folder_materialized)
        if configured is not None and configured != "incremental":
            return False
        return branch == "incremental"

    def this_schema() -> str:
        schema = model_config.get("schema")
        if schema:
            return str(schema)
        if fname and Path(fname).parent.name not in ("models", ""):
            return Path(fname).parent.name
        return DEFAULT_SCHEMA

    class This(Relation):
        def __str__(self) -> str:  # schema may be configured after first use
            return str(Relation(this_schema(), model_name))

    def ref(*args: Any, **kwargs: Any) -> Relation:
        return Relation(None, args[-1])

    def source(source_name: str, table_name: str) -> Relation:
        return Relation(source_name, table_name)

    def var(name: str, *default: Any) -> Any:
        if name in project_vars:
            return project_vars[name]
        if default:
            return default[0]
        # dbt would fail on an undefined var without a default; a
        # placeholder keeps the SQL around it lintable.
        return f"var_{name}"

    def env_var(name: str, default: Optional[str] = None) -> str:
        if name in os.environ:
            return os.environ[name]
        return default if default is not None else f"env_var_{name}"

    def statement(name: Any = None, fetch_result: bool = False, auto_begin: bool = True,
                  caller: Any = None, **_: Any) -> str:
        return ""

    context: Dict[str, Any] = {
        "is_incremental": is_incremental,
        "should_full_refresh": branch_flag(branch == "full_refresh"),
        "config": model_config,
        "this": This(None, model_name),
        "ref": ref,
        "source": source,
        "var": var,
        "env_var": env_var,
        "flags": Flags(full_refresh=branch_flag(branch == "full_refresh")),
        "target": _Target(),
        # Hooks are rendered with execute false: the macros they call run
        # their statements against the warehouse (the macro-block lint
        # covers those), and dbt's own macros return early then.
        "execute": execute,
        "graph": {"nodes": {}, "sources": {}, "macros": {}, "exposures": {}},
        "results": [],
        "selected_resources": [],
        "invocation_args_dict": {},
        "dbt_version": "1.7.0",
        "run_query": lambda *a, **k: _QueryResult(),
        "statement": statement,
        "load_result": lambda *a, **k: None,
        "log": lambda *a, **k: "",
        "print": lambda *a, **k: "",
        "exceptions": _Exceptions(),
        "modules": _Modules(),
        "model": {"name": model_name, "unique_id": f"model.{model_name}", "config": model_config.values},
        "invocation_id": "00000000-0000-0000-0000-000000000000",
        "run_started_at": datetime.datetime(2026, 1, 1, 7, 0, 0),
        "local_md5": lambda s: "0" * 32,
        "zip": DBT_ZIP,
        "adapter": Adapter(macros),
    }
    for package in package_names:
        context[package] = Namespace(macros)
    return context


def bind_macros(live_context: Dict[str, Any]) -> None:
    """Point adapter.dispatch and package namespaces at the context with the loaded macros."""
    for value in live_context.values():
        if isinstance(value, (Adapter, Namespace)):
            value._context = live_context
