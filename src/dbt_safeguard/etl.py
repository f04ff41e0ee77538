"""The daily ETL: dump -> staging -> dbt seed/run/test -> archive, or stop.

Steps, each timed and reported:
  download           resolve the dump (the newest under a prefix) and fetch the dbt project
  deps               `dbt deps`, when the project has packages and none are installed
  recover            only when the catalog names an unfinished run: `recover_run`
  lease              take the ETL's run lease, held until the ETL ends
  load               stream the dump into staging (shadow schema + one atomic RENAME)
  drop_empty_tables  only with drop_empty_tables: drop staging tables the dump left empty
  preflight          the server checks every protected model in both branches (nothing written):
                     a broken night stops here, before its first write
  seed, run, test    dbt through dbtRunner; `run` with --fail-fast
  archive            move the dump out of the way, only when every step succeeded

Backups are not taken here: the project's safeguard hooks take them (and
prune old ones) on `dbt seed` and `dbt run`; the summary reports what they
recorded in the catalog for this ETL's dbt invocations. A hook reports some
problems as a `[safeguard] ERROR` line rather than failing dbt (a prune that
left a stray catalog row alone): the ETL still finishes the night, then
exits non-zero naming them, so the alarm fires.

One ETL at a time per staging schema: a server-side GET_LOCK held on its own
connection for the whole run. A second ETL exits at once, having touched
nothing; a killed ETL's lock goes with its connection.

A killed ETL is recovered by the next one, with no manual step. dbt gets the
lock's name and connection id (SAFEGUARD_ETL_LOCK, SAFEGUARD_ETL_CONNECTION_ID)
and the safeguard package records them with the run lease, so "is that run
alive?" has an exact answer: IS_USED_LOCK(name) is still that connection.
When the catalog shows a run that is not alive, the `recover` step (before
the load, whose swap the dead run's statements could block) runs the
package's `recover_run`: it ends the statements the dead run left running,
rolls back what it changed exactly as its finish_run would have, and frees
its lease. A killed plain `dbt run` is recovered the same way once it is
dead by the package's rule (its heartbeat older than
safeguard_heartbeat_grace_seconds and none of its connections running a
statement); while it may be alive the ETL stops before its load.

The ETL owns its night: the `lease` step takes the package's run lease
(take_etl_lease) before the load and the ETL gives it back when it ends, so
no restore, prune or other run slips between its steps. Its own dbt
invocations know the lease by SAFEGUARD_ETL_LEASE.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import pymysql

from . import dump_source
from .connection import ConnectionSettings, named_lock, open_connection, quote, try_named_lock
from .dbt_invoker import BASE_RESULT_CRASH, DbtInvoker, DbtOutcome, message_text, summarize
from .errors import FatalError, UsageError
from .history import catalog as history_catalog
from .history import night as history_night
from .preflight import run_preflight
from .run_events import emf_line, event, one_line, print_emf
from .staging_loader import DEFAULT_WORKERS, LoadResult, check_schema_name, load_source

log = logging.getLogger("safeguard")

SCHEMA_PREFIX_ENV = "SAFEGUARD_SCHEMA_PREFIX"
CATALOG_TABLE = "safeguard_backups"
# The catalog tables that name a run that has not finished (macros/catalog).
UNFINISHED_RUN_TABLES = ("safeguard_run_lease", "safeguard_connections")
ETL_LOCK_ENV = "SAFEGUARD_ETL_LOCK"
ETL_CONNECTION_ENV = "SAFEGUARD_ETL_CONNECTION_ID"
ETL_LEASE_ENV = "SAFEGUARD_ETL_LEASE"
ALARM_PREFIX = "[safeguard] ERROR"


@dataclasses.dataclass
class EtlConfig:
    dump_uri: str
    project_dir: str
    schema_prefix: str = ""
    staging_schema: Optional[str] = None  # default: <prefix>staging, where the project's sources read
    catalog_schema: Optional[str] = None  # default: <prefix>analytics, the profile's schema
    archive_uri: Optional[str] = None  # default: dump_source.default_archive(dump_uri)
    drop_empty_tables: bool = False
    required_tables: Sequence[str] = ()
    workers: int = DEFAULT_WORKERS
    job_name: str = "safeguard-etl"
    show_progress: bool = False
    emit_metrics: bool = True
    history_uri: Optional[str] = None  # where the history page goes after each night (a path or s3://)
    collation_map: Sequence[str] = ()  # FROM=TO collations for the load (safeguard load --collation-map)
    spill_dir: Optional[str] = None  # the load's spill directory (default: $TMPDIR)
    # Text mode without -v: one line per model, dbt's other lines only when
    # its command fails. The JSON log always carries every dbt event.
    compact_dbt_log: bool = False

    @property
    def staging(self) -> str:
        return self.staging_schema or self.schema_prefix + "staging"

    @property
    def catalog(self) -> str:
        return self.catalog_schema or self.schema_prefix + "analytics"

    def check(self) -> None:
        """UsageError for arguments no run could succeed with; called before the ETL takes its server lock."""
        if not self.dump_uri:
            raise UsageError("--dump-uri is empty: give a dump file, a folder or an s3:// prefix")
        if not dump_source.is_s3(self.project_dir) and not Path(self.project_dir).is_dir():
            raise UsageError(f"--project-dir {self.project_dir}: no such directory (give the dbt project, "
                             "a directory or an s3:// prefix)")
        if not isinstance(self.workers, int) or self.workers < 1:
            raise UsageError(f"--workers must be a whole number of at least 1, got {self.workers!r}")
        try:
            check_schema_name(self.staging, "staging schema")
            check_schema_name(self.catalog, "catalog schema")
            for table in self.required_tables:
                check_schema_name(table, "--require-table")
        except FatalError as exc:
            raise UsageError(str(exc)) from None


@dataclasses.dataclass
class StepReport:
    name: str
    status: str = "running"  # success, failure, skipped
    duration: float = 0.0
    detail: Dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class EtlReport:
    job: str
    status: str = "running"
    dump: Optional[str] = None
    archived_to: Optional[str] = None
    error: Optional[str] = None
    steps: List[StepReport] = dataclasses.field(default_factory=list)
    rows_loaded: int = 0
    tables_loaded: Dict[str, int] = dataclasses.field(default_factory=dict)
    backups: List[Dict] = dataclasses.field(default_factory=list)
    dbt: Dict[str, Dict] = dataclasses.field(default_factory=dict)
    invocation_ids: List[str] = dataclasses.field(default_factory=list)
    duration: float = 0.0

    def as_dict(self) -> Dict:
        return dataclasses.asdict(self)


def lock_name(staging: str) -> str:
    return named_lock("safeguard_etl_", staging)


class Etl:
    """`Etl(config, settings).run()` -> EtlReport; raises FatalError on failure."""

    def __init__(self, config: EtlConfig, settings: ConnectionSettings):
        self.config = config
        self.settings = settings
        self.report = EtlReport(job=config.job_name)
        self._notes_shown: set = set()  # dbt's banners, once per ETL in the compact view
        self.lock_name = lock_name(config.staging)
        self.lock_connection_id: Optional[int] = None
        self.lease_id: Optional[str] = None  # the invocation id of the ETL's run lease
        # [safeguard] ERROR lines of hooks that do not fail dbt (a failing
        # on-run-start would crash dbt 1.7): each fails the night in the end.
        self.alarms: List[str] = []
        self.table_outcomes: Dict[str, history_night.RunLine] = {}  # schema.table -> this night's line

    # -- the workflow ------------------------------------------------------------

    def run(self) -> EtlReport:
        self.config.check()  # a bad argument never takes the lock
        started = time.monotonic()
        lock = None
        try:
            # Inside the try: a night refused because another ETL still runs,
            # or because the server is unreachable, is a failed night, and its
            # summary and EtlFailure metric must reach the alarm.
            lock = self._acquire_lock()
            self._workflow()
            self.report.status = "success"
        except FatalError as exc:
            self.report.status = "failure"
            self.report.error = str(exc)
            # The cause first, then the summary and the metrics line.
            event("error", "%s", exc, level=logging.ERROR)
            exc.reported = True
            raise
        except BaseException as exc:
            self.report.status = "failure"
            self.report.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.report.duration = round(time.monotonic() - started, 3)
            try:
                self.report.backups = self._backups_taken()
            except (pymysql.err.MySQLError, FatalError) as exc:
                # The summary must still go out, and must not hide the run's own error.
                event("catalog", "WARN     cannot read the backup catalog: %s", exc, level=logging.WARNING)
            self._report_tables()
            self._summarize()
            if lock is not None:
                try:
                    self._give_back_lease()
                except pymysql.err.MySQLError as exc:
                    # Its ETL lock goes with the connection below: the lease is
                    # then dead, and the next ETL frees it.
                    event("lease", "WARN     cannot give back the ETL's run lease: %s", exc, level=logging.WARNING)
                finally:
                    lock.close()
        return self.report

    def _workflow(self) -> None:
        config = self.config
        with self._step("download") as step:
            archive_uri = config.archive_uri or dump_source.default_archive(config.dump_uri)
            source = dump_source.resolve(config.dump_uri, exclude=archive_uri)
            self.report.dump = source.uri
            project, holder = dump_source.fetch_directory(config.project_dir)
            step.detail.update(dump=source.uri, size=source.size, project=str(project))
        with contextlib.ExitStack() as cleanup:
            if holder is not None:
                cleanup.callback(holder.cleanup)
            invoker = DbtInvoker(project, self.settings, extra_env={
                SCHEMA_PREFIX_ENV: config.schema_prefix,
                ETL_LOCK_ENV: self.lock_name,
                ETL_CONNECTION_ENV: str(self.lock_connection_id),
            })
            self._deps(invoker, (project / "packages.yml").is_file() and not (project / "dbt_packages").is_dir())
            self._own_the_night(invoker)
            with self._step("load") as step:
                result = load_source(
                    source, self.settings, config.staging, show_progress=config.show_progress,
                    workers=config.workers, required_tables=config.required_tables,
                    collation_map=config.collation_map, spill_dir=config.spill_dir,
                )
                self._record_load(result, step)
            with self._step("drop_empty_tables", skip=not config.drop_empty_tables) as step:
                if config.drop_empty_tables:
                    step.detail["dropped"] = drop_empty_tables(self.settings, config.staging, result)
            with self._step("preflight") as step:
                self._preflight(invoker, step)
            with self._step("seed"):
                self._dbt(invoker, "seed")
            with self._step("run"):
                # dbt stops scheduling models after the first failure.
                self._dbt(invoker, "run", "--fail-fast")
            with self._step("test"):
                self._dbt(invoker, "test")
        with self._step("archive") as step:
            self.report.archived_to = dump_source.archive(source, archive_uri)
            step.detail["to"] = self.report.archived_to
        if self.alarms:
            raise FatalError(
                f"the night was built and archived, but safeguard reported {len(self.alarms)} error(s): "
                + "; ".join(self.alarms)
            )

    # -- steps -------------------------------------------------------------------

    def _own_the_night(self, invoker: DbtInvoker) -> None:
        """Recovers the dead runs the catalog names, then takes the run lease
        the ETL holds until it ends (its own dbt invocations know it by
        SAFEGUARD_ETL_LEASE). Stops, changing nothing, while a run may be alive."""
        unfinished = self._unfinished_runs()
        if unfinished:
            with self._step("recover") as step:
                step.detail["unfinished"] = unfinished
                self._dbt(invoker, "run-operation", "recover_run")
                left = self._unfinished_runs()
                if left:
                    raise FatalError(
                        f"{left} unfinished dbt run(s) may still be alive (see recover_run's SKIP lines above); "
                        "a live run is never taken over; the ETL changed nothing, try again when it has ended"
                    )
        with self._step("lease") as step:
            lease = self._dbt(invoker, "run-operation", "take_etl_lease")
            self.lease_id = lease.invocation_id
            invoker.extra_env[ETL_LEASE_ENV] = str(lease.invocation_id)
            step.detail["invocation_id"] = lease.invocation_id

    @contextlib.contextmanager
    def _step(self, name: str, skip: bool = False) -> Iterator[StepReport]:
        step = StepReport(name)
        self.report.steps.append(step)
        if skip:
            step.status = "skipped"
            event("step_skip", "SKIP     %s", name, step=name)
            yield step
            return
        event("step_start", "START    %s", name, step=name)
        started = time.monotonic()
        try:
            yield step
        except BaseException:
            step.status = "failure"
            raise
        else:
            step.status = "success"
        finally:
            step.duration = round(time.monotonic() - started, 3)
            level = logging.INFO if step.status == "success" else logging.ERROR
            event("step_end", "%-8s %s in %.1fs", step.status.upper(), name, step.duration, level=level,
                  step=name, status=step.status, duration=step.duration, **step.detail)

    def _acquire_lock(self):
        name = self.lock_name
        conn = open_connection(self.settings)
        try:
            holder = try_named_lock(conn, name)
            # The lock lives as long as this connection: recover_run asks the
            # server whether it is still held to tell a live ETL from a dead one.
            self.lock_connection_id = conn.thread_id()
        except BaseException:
            conn.close()
            raise
        if holder is not None:
            conn.close()
            raise FatalError(
                f"another safeguard ETL into `{self.config.staging}` is running on {self.settings.describe()} "
                f"(lock {name} held by connection {holder}); this run changed nothing, try again when it ends"
            )
        event("lock", "LOCK     %s for ETL into %s", name, self.config.staging, lock=name)
        return conn

    def _deps(self, invoker: DbtInvoker, needed: bool) -> None:
        with self._step("deps", skip=not needed):
            if needed:
                self._dbt(invoker, "deps")

    def _preflight(self, invoker: DbtInvoker, step: StepReport) -> None:
        try:
            report = run_preflight(invoker, self.settings)
        except FatalError as exc:
            raise FatalError(f"{exc}; the ETL stopped before dbt seed: only staging was loaded, "
                             "the dump was not archived") from None
        step.detail.update(statements=report.statements, skipped=len(report.skipped),
                           round_trips=report.round_trips)

    def _unfinished_runs(self) -> int:
        """How many dbt runs the catalog names that have not finished: a run
        lease, or a recorded connection still open on the server (a killed
        client's statement goes on running). A finished run leaves neither;
        then no dbt call is spent on recovery. recover_run decides which of
        them are dead."""
        catalog = quote(self.config.catalog)
        conn = open_connection(self.settings)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
                    f" AND table_name IN ({', '.join(['%s'] * len(UNFINISHED_RUN_TABLES))})",
                    (self.config.catalog, *UNFINISHED_RUN_TABLES),
                )
                if len(cur.fetchall()) < len(UNFINISHED_RUN_TABLES):
                    return 0
                cur.execute(
                    f"SELECT COUNT(*) FROM (SELECT invocation_id FROM {catalog}.safeguard_run_lease"
                    f" UNION SELECT c.invocation_id FROM {catalog}.safeguard_connections AS c"
                    " JOIN information_schema.processlist AS p ON p.id = c.connection_id) AS unfinished"
                )
                return int(cur.fetchone()[0])
        finally:
            conn.close()

    def _give_back_lease(self) -> None:
        """Deletes the ETL's lease row and the connections it recorded: the
        night is over. A killed ETL cannot get here; its lease is dead with
        its lock, and the next ETL's recover step frees it."""
        if self.lease_id is None:
            return
        catalog = quote(self.config.catalog)
        conn = open_connection(self.settings)
        try:
            with conn.cursor() as cur:
                for table in UNFINISHED_RUN_TABLES:
                    cur.execute(f"DELETE FROM {catalog}.{quote(table)} WHERE invocation_id = %s", (self.lease_id,))
            conn.commit()
        finally:
            conn.close()
        event("lease", "RELEASE  the ETL's run lease (invocation %s)", self.lease_id, invocation_id=self.lease_id)
        self.lease_id = None

    def _record_load(self, result: LoadResult, step: StepReport) -> None:
        self.report.rows_loaded = result.rows
        self.report.tables_loaded = dict(result.tables)
        step.detail.update(rows=result.rows, tables=len(result.tables), bytes=result.bytes)

    def _dbt(self, invoker: DbtInvoker, command: str, *args: str) -> DbtOutcome:
        compact = self.config.compact_dbt_log
        held: List = []  # dbt lines the compact view shows only if the command fails

        def forward(dbt_event) -> None:
            info = dbt_event.info
            level = {"warn": logging.WARNING, "error": logging.ERROR}.get(info.level, logging.INFO)
            message = message_text(info.msg)
            if not message:
                return
            alarm = message[len(ALARM_PREFIX):].strip() if message.startswith(ALARM_PREFIX) else None
            if info.name == "JinjaLogInfo" and alarm and alarm not in self.alarms:
                self.alarms.append(alarm)
            if BASE_RESULT_CRASH in message:
                # dbt 1.7's own crash after a failed on-run-start: the failure
                # line below names the server's error instead.
                return
            if compact and not self._compact_shows(info.name, info.level, message):
                held.append((level, message, info.name))
                return
            event("dbt", "dbt      %s", message, level=level, command=command, dbt_event=info.name)

        # dbt's own console output would break "one JSON object per line":
        # its events come through the callback instead.
        outcome = invoker.invoke(command, *args, "--log-level", "none", on_log=forward)
        if outcome.invocation_id and outcome.invocation_id not in self.report.invocation_ids:
            self.report.invocation_ids.append(outcome.invocation_id)
        counts = summarize(outcome)
        self.report.dbt[command] = {"success": outcome.success, "nodes": counts,
                                    "duration": round(outcome.duration, 3)}
        if compact:
            if not outcome.success and held:
                # The full detail of what failed: dbt's other lines, in their order.
                event("dbt", "DETAIL   dbt %s failed; its other lines follow", command, level=logging.ERROR,
                      command=command, dbt_event="detail")
                for level, message, name in held:
                    event("dbt", "dbt      %s", message, level=level, command=command, dbt_event=name)
            self._node_lines(command, outcome)
        if not outcome.success:
            failed = [f"{n.name} ({n.status}: {one_line(n.message or '')})"
                      for n in outcome.nodes if n.status in ("error", "fail", "runtime error")]
            self.report.dbt[command]["failed"] = failed
            raise FatalError(f"dbt {command} failed: {self._failure_reason(outcome, failed)}; the dump was not archived")
        return outcome

    def _failure_reason(self, outcome: DbtOutcome, failed: List[str]) -> str:
        """safeguard's own reason first: a hook that refused the run logs it as
        an ERROR line, and every model then fails with a generic refusal."""
        if outcome.denied_routine:
            return outcome.denied_routine
        if outcome.crashed_after_failed_hook:
            # The server's error, not dbt 1.7's traceback of its own crash:
            # the first one, the cause (after a full disk's errno 28 the
            # connection is gone and later statements only say so).
            failed = [f"on-run-start failed: {one_line(outcome.database_errors[0]) if outcome.database_errors else 'see dbt.log'}"]
        return ("; ".join(self.alarms + failed) or outcome.package_error or outcome.error
                or "see the dbt events above")

    def _compact_shows(self, name: str, level: str, message: str) -> bool:
        """The dbt lines the compact view keeps: safeguard's own actions and each banner or warning once."""
        if name == "JinjaLogInfo" and message.startswith("[safeguard]"):
            # KEEP lines (prune's and finish_run's "unchanged") say nothing happened.
            return " KEEP " not in message
        if name == "Note" or level == "warn":
            if message in self._notes_shown:
                return False
            self._notes_shown.add(message)
            return True
        return False

    def _node_lines(self, command: str, outcome: DbtOutcome) -> None:
        """One line per model or seed, with the status dbt gave it in the end (a model
        cancelled by --fail-fast is `skipped`, whatever its log line said); tests only when they do not pass."""
        for node in outcome.nodes:
            if command == "test" and node.status == "pass":
                continue
            what = node.relation or node.name
            note = ""
            if node.status not in ("success", "pass") and node.message:
                note = ": " + one_line(node.message)
            level = logging.INFO if node.status in ("success", "pass", "skipped") else logging.ERROR
            event("dbt_node", "%-8s %-4s %-8s %s%s", "dbt", command, node.status, what, note, level=level,
                  command=command, node=node.unique_id, status=node.status)
        if command == "test":
            passed = sum(1 for node in outcome.nodes if node.status == "pass")
            event("dbt_node", "%-8s %-4s %d of %d tests passed", "dbt", command, passed, len(outcome.nodes),
                  command=command)

    def _backups_taken(self) -> List[Dict]:
        """Backups the safeguard hooks recorded for this ETL's dbt invocations."""
        ids = self.report.invocation_ids
        if not ids:
            return []
        conn = open_connection(self.settings)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                    (self.config.catalog, CATALOG_TABLE),
                )
                if cur.fetchone()[0] == 0:
                    return []
                cur.execute(
                    f"SELECT source_schema, source_table, backup_schema, backup_table, row_count, status "
                    f"FROM {quote(self.config.catalog)}.{quote(CATALOG_TABLE)} "
                    f"WHERE kind = 'backup' AND invocation_id IN ({', '.join(['%s'] * len(ids))}) "
                    f"ORDER BY backup_id",
                    ids,
                )
                keys = ("source_schema", "source_table", "backup_schema", "backup_table", "row_count", "status")
                return [dict(zip(keys, row)) for row in cur.fetchall()]
        finally:
            conn.close()

    def _report_tables(self) -> None:
        """What this night did to each protected table, for the EMF lines and
        the history page (--history-uri). A catalog that cannot be read (the
        server gone) leaves both out with a warning: the night's own outcome
        and its summary still go out."""
        try:
            rows = history_catalog.read_catalog(self.settings, self.config.catalog)
            self.table_outcomes = history_night.night_outcomes(rows, self.report.invocation_ids)
            if self.config.history_uri:
                written = history_night.write_page(rows, self.config.catalog, self.config.history_uri)
                event("history_page", "HISTORY  page written to %s", written, uri=written)
        except (pymysql.err.MySQLError, FatalError) as exc:
            event("history_page", "WARN     no history of the tables this night: %s", exc, level=logging.WARNING)

    def _summarize(self) -> None:
        report = self.report
        level = logging.INFO if report.status == "success" else logging.ERROR
        steps = {s.name: {"status": s.status, "duration": s.duration} for s in report.steps}
        event(
            "etl_summary",
            "SUMMARY  %s: %d rows loaded, %d backups, %s in %.1fs",
            report.status, report.rows_loaded, len(report.backups),
            ", ".join(f"{s.name} {s.status}" for s in report.steps), report.duration,
            level=level, job=report.job, status=report.status, dump=report.dump, archived_to=report.archived_to,
            error=report.error, steps=steps, rows_loaded=report.rows_loaded, tables_loaded=report.tables_loaded,
            backups=report.backups, dbt=report.dbt, duration=report.duration,
        )
        if self.config.emit_metrics:
            print_emf(emf_line(
                {
                    "EtlSuccess": 1 if report.status == "success" else 0,
                    "EtlFailure": 0 if report.status == "success" else 1,
                    "EtlDuration": report.duration,
                    "RowsLoaded": report.rows_loaded,
                    "BackupsTaken": len(report.backups),
                },
                {"EtlSuccess": "Count", "EtlFailure": "Count", "EtlDuration": "Seconds",
                 "RowsLoaded": "Count", "BackupsTaken": "Count"},
                {"Job": report.job},
            ))
            for line in history_night.table_metrics(self.table_outcomes, report.job):
                print_emf(line)


def drop_empty_tables(settings: ConnectionSettings, schema: str, result: LoadResult) -> List[str]:
    """Step 3 of the original job, only when configured: drop the tables this
    load created empty (never other tables of the schema)."""
    dropped = [table for table, rows in result.tables.items() if rows == 0]
    if dropped:
        conn = open_connection(settings)
        try:
            with conn.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS " + ", ".join(f"{quote(schema)}.{quote(t)}" for t in dropped))
        finally:
            conn.close()
    for table in dropped:
        event("drop_empty", "DROP     empty table %s.%s", schema, table, table=table)
    return dropped


def run_etl(config: EtlConfig, settings: ConnectionSettings) -> EtlReport:
    return Etl(config, settings).run()
