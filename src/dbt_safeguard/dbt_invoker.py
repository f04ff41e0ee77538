"""Runs dbt in-process through dbtRunner with the safeguard connection settings.

The dbt profile (dbt/profiles.yml) reads only environment variables, so an
invocation sets them for its duration and restores the previous values.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import time
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional

from .connection import ConnectionSettings


@dataclasses.dataclass
class NodeResult:
    unique_id: str
    name: str
    status: str
    message: Optional[str]
    relation: Optional[str] = None  # schema.alias of what it built, when it builds one
    duration: float = 0.0


@dataclasses.dataclass
class DbtOutcome:
    args: List[str]
    success: bool
    duration: float
    nodes: List[NodeResult]
    log_lines: List[str]  # dbt's info, warning and error lines, without colour codes
    error: Optional[str]
    invocation_id: Optional[str] = None  # the id safeguard's catalog records backups under

    @property
    def log(self) -> str:
        return "\n".join(self.log_lines)

    def status_of(self, name: str) -> Optional[str]:
        for node in self.nodes:
            if node.name == name or node.unique_id == name:
                return node.status
        return None


# dbt's anonymous usage tracking calls out to the internet on every
# invocation; a Glue job (and CI) has no route there and would wait on it.
# A user who sets the variable keeps their choice.
DEFAULT_DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def _set_by_user(defaults: Mapping[str, str]) -> Dict[str, str]:
    return {key: os.environ[key] for key in defaults if key in os.environ}


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


class DbtInvoker:
    """`DbtInvoker(project_dir, settings).invoke("run", "--fail-fast")`."""

    def __init__(
        self,
        project_dir: Path,
        settings: ConnectionSettings,
        profiles_dir: Optional[Path] = None,
        extra_env: Optional[Dict[str, str]] = None,
    ):
        self.project_dir = Path(project_dir).resolve()
        self.profiles_dir = Path(profiles_dir).resolve() if profiles_dir else self.project_dir
        self.settings = settings
        self.extra_env = dict(extra_env or {})

    def invoke(self, command: str, *args: str, on_log=None) -> DbtOutcome:
        # Imported here: dbt's import is slow and the CLI's --help should not pay for it.
        from dbt.cli.main import dbtRunner

        log_lines: List[str] = []
        invocation_ids: List[str] = []

        def capture(event) -> None:
            if event.info.invocation_id and not invocation_ids:
                invocation_ids.append(event.info.invocation_id)
            if event.info.level in ("info", "warn", "error"):
                log_lines.append(plain_text(event.info.msg))
                if on_log is not None:
                    on_log(event)

        full_args = [
            command,
            *args,
            "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.profiles_dir),
        ]
        env = {**DEFAULT_DBT_ENV, **_set_by_user(DEFAULT_DBT_ENV), **self.settings.as_env(), **self.extra_env}
        started = time.monotonic()
        cwd = os.getcwd()
        try:
            with _environment(env):
                result = dbtRunner(callbacks=[capture]).invoke(full_args)
        finally:
            # dbt may chdir into the project, which can be a temporary copy.
            os.chdir(cwd)
        if isinstance(result.exception, KeyboardInterrupt):
            # dbtRunner returns Ctrl-C as a failed result; it must stop the
            # caller too (the ETL would go on to its next step).
            raise result.exception
        nodes = _node_results(result.result)
        error = None
        if result.exception is not None:
            error = str(result.exception).strip()
        return DbtOutcome(
            args=full_args,
            success=bool(result.success),
            duration=time.monotonic() - started,
            nodes=nodes,
            log_lines=log_lines,
            error=error,
            invocation_id=invocation_ids[0] if invocation_ids else None,
        )


_ANSI_COLOR = re.compile(r"\x1b\[[0-9;]*m")


def plain_text(message: Optional[str]) -> str:
    """A dbt log message without its terminal colour codes."""
    return _ANSI_COLOR.sub("", message or "")


def _node_results(result) -> List[NodeResult]:
    nodes: List[NodeResult] = []
    for item in getattr(result, "results", None) or []:
        node = getattr(item, "node", None)
        if node is None:
            continue
        schema, alias = getattr(node, "schema", None), getattr(node, "alias", None)
        nodes.append(
            NodeResult(
                unique_id=node.unique_id,
                name=node.name,
                status=str(getattr(item.status, "value", item.status)),
                message=item.message,
                relation=f"{schema}.{alias}" if schema and alias else None,
                duration=float(getattr(item, "execution_time", 0.0) or 0.0),
            )
        )
    return nodes


def summarize(outcome: DbtOutcome) -> Dict[str, int]:
    """Counts of node statuses, e.g. {"success": 12, "error": 1, "skipped": 3}."""
    counts: Dict[str, int] = {}
    for node in outcome.nodes:
        counts[node.status] = counts.get(node.status, 0) + 1
    return counts


