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
from typing import Any, Dict, Iterator, List, Mapping, Optional

from .connection import ConnectionSettings
from .run_events import one_line


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
    # The server's errors, from the adapter's debug lines ("MySQL error: 1114 ..."):
    # dbt 1.7 keeps a failed on-run-start's error out of its info lines.
    database_errors: List[str] = dataclasses.field(default_factory=list)
    # The statement each of database_errors came from (dbt's SQLQuery event before it).
    failed_statements: List[str] = dataclasses.field(default_factory=list)

    @property
    def package_error(self) -> Optional[str]:
        """The package's own one line in dbt's error, if any: create_backups
        refuses a run through a DbtInternalError, which dbt 1.7 prints as
        "Internal Error / Cache inconsistency detected: safeguard...."."""
        for line in (self.error or "").splitlines():
            line = line.strip()
            line = line[len(CACHE_ERROR_PREFIX):] if line.startswith(CACHE_ERROR_PREFIX) else line
            if line.startswith(("safeguard.", "safeguard:")):
                return line
        return None

    @property
    def denied_routine(self) -> Optional[str]:
        """One line when the server refused to create one of the package's
        procedures (safeguard_run_ddl_v1, safeguard_probe_v1: made on first
        use in the catalog schema), which a macro cannot catch: the user
        lacks CREATE ROUTINE there."""
        for error, statement in zip(self.database_errors, self.failed_statements):
            created = ROUTINE_CREATION.search(statement)
            if created and error.split(" ", 1)[0].lstrip("(").rstrip(",") in DENIED_ERRNOS:
                schema, name = created.groups()
                return (f"the database user needs CREATE ROUTINE on schema {schema}, where the package creates its "
                        f"procedure {name} on first use (server: {one_line(error)}); grant CREATE ROUTINE, ALTER "
                        "ROUTINE and EXECUTE on it (docs/faults.md, Least privilege); nothing was built")
        return None

    @property
    def crashed_after_failed_hook(self) -> bool:
        """dbt 1.7's crash when a model fails under --fail-fast after a
        failed on-run-start (the hook's result has no node)."""
        return bool(self.error) and BASE_RESULT_CRASH in (self.error or "")
    result: Any = None  # dbt's own result: the Manifest of `parse`, the RunExecutionResult of `compile`, ...

    @property
    def log(self) -> str:
        return "\n".join(self.log_lines)

    def status_of(self, name: str) -> Optional[str]:
        for node in self.nodes:
            if node.name == name or node.unique_id == name:
                return node.status
        return None


BASE_RESULT_CRASH = "'BaseResult' object has no attribute 'node'"
# The adapters log a failed statement's server error at debug level, as
# "mysql adapter: MySQL error: (1114, ...)" (type mysql) or "... MariaDB
# error: 1114 (HY000): ..." (type mariadb): the logger's name comes first.
DATABASE_ERROR = re.compile(r"\b(?:MySQL|MariaDB) error: (.+)", re.DOTALL)
CACHE_ERROR_PREFIX = "Cache inconsistency detected: "
# A denied CREATE PROCEDURE: 1044 (no access to the database), 1142 and
# 1227 (a privilege missing), 1370 (ALTER ROUTINE missing for a replace).
ROUTINE_CREATION = re.compile(r"create procedure `([^`]+)`\.`(safeguard_\w+)`", re.I)
DENIED_ERRNOS = ("1044", "1142", "1227", "1370")

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

    def invoke(self, command: str, *args: str, on_log=None, manifest: Any = None) -> DbtOutcome:
        """`manifest`: a Manifest from an earlier `parse`, which dbt then uses instead of parsing again."""
        # Imported here: dbt's import is slow and the CLI's --help should not pay for it.
        from dbt.cli.main import dbtRunner

        log_lines: List[str] = []
        invocation_ids: List[str] = []
        database_errors: List[str] = []
        failed_statements: List[str] = []
        last_statement = [""]

        def capture(event) -> None:
            if event.info.invocation_id and not invocation_ids:
                invocation_ids.append(event.info.invocation_id)
            if event.info.name == "SQLQuery":
                last_statement[0] = event.info.msg or ""
            database_error = DATABASE_ERROR.search(event.info.msg or "") if event.info.level == "debug" else None
            if database_error:
                database_errors.append(database_error.group(1).strip())
                failed_statements.append(last_statement[0])
            if event.info.level in ("info", "warn", "error"):
                log_lines.append(message_text(event.info.msg))
                if on_log is not None:
                    on_log(event)

        full_args = [
            # dbt colours its messages unless told not to; they reach us as
            # text for logs and JSON, where escape codes would be noise.
            "--no-use-colors",
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
                result = dbtRunner(manifest=manifest, callbacks=[capture]).invoke(full_args)
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
            database_errors=database_errors,
            failed_statements=failed_statements,
            result=result.result,
        )


def message_text(message: Optional[str]) -> str:
    """A dbt log message as text (dbt runs with --no-use-colors: no escape codes)."""
    return message or ""


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


