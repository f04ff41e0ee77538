"""Faults injected at a statement of interest, seen in the processlist.

`at_statement(pattern, fault, hold=...)` returns an injector for
run_scenario: it starts the night's `safeguard etl` (or another process),
holds a lock that keeps the statement waiting if asked, waits until the
statement shows in the processlist, injects the fault, lets go of the lock and
waits for the process to end.
"""
from __future__ import annotations

import contextlib
import time
from typing import Callable, ContextManager, Optional, Sequence

from faults.injectors import MetadataLock, RowLock, Statement, kill_connection, sigkill_group, wait_for_statement
from faults.lab import Lab
from faults.pipeline import Finished, Pipeline, Running

Fault = Callable[[Pipeline, Running, Statement], None]
Holder = Callable[[Pipeline], ContextManager]
Starter = Callable[[Pipeline], Running]


def sigkill_driver(pipeline: Pipeline, run: Running, statement: Statement) -> None:
    sigkill_group(run.process)


def lost_connection(pipeline: Pipeline, run: Running, statement: Statement) -> None:
    kill_connection(pipeline.admin, statement.id)


def crash_server(lab: Lab) -> Fault:
    """SIGKILL mariadbd, and start it again at once on the same datadir, as
    Aurora or systemd would: the driver sees its connection go meanwhile."""
    def fault(pipeline: Pipeline, run: Running, statement: Statement) -> None:
        lab.server.kill()
        lab.restart_after_crash()
    return fault


def full_disk(lab: Lab, leave_mb: float = 0.25) -> Fault:
    def fault(pipeline: Pipeline, run: Running, statement: Statement) -> None:
        lab.require_disk().fill(leave_mb)
    return fault


def no_hold(pipeline: Pipeline) -> ContextManager:
    return contextlib.nullcontext()


def hold_rows(schema: str, table: str) -> Holder:
    """Every row of a table locked FOR UPDATE: a copy or build reading it waits."""
    def holder(pipeline: Pipeline) -> ContextManager:
        return RowLock(pipeline.admin, f"SELECT * FROM `{pipeline.schema(schema)}`.`{table}` FOR UPDATE")
    return holder


def hold_metadata(schema: str, table: str) -> Holder:
    """An open reader transaction on a table: a RENAME or DROP of it waits."""
    def holder(pipeline: Pipeline) -> ContextManager:
        return MetadataLock(pipeline.admin, [(pipeline.schema(schema), table)])
    return holder


def hold_backup_tables(pipeline: Pipeline) -> ContextManager:
    """An open reader transaction on every backup the catalog lists."""
    tables = [(r["backup_schema"], r["backup_table"]) for r in pipeline.catalog_rows() if r["status"] == "verified"]
    return MetadataLock(pipeline.admin, tables)


class _Handover:
    """Holds one lock until a statement is seen, then another: the MDL keeps
    the swap's RENAME waiting until the catalog rows it will update next are
    locked, then lets the RENAME go, so the swap commits and its catalog
    write waits (the window between the two statements stays open)."""

    def __init__(self, pipeline: Pipeline, first: Holder, seen: str, second: Holder, timeout: float = 300.0):
        self.pipeline, self.first, self.seen, self.second, self.timeout = pipeline, first, seen, second, timeout
        self.held = None

    def __enter__(self):
        with self.first(self.pipeline):
            wait_for_statement(self.pipeline.admin, self.seen.format(prefix=self.pipeline.prefix), timeout=self.timeout)
            self.held = self.second(self.pipeline).__enter__()
        return self.held

    def __exit__(self, *exc):
        if self.held is not None:
            self.held.__exit__(*exc)


def _verified_backup_rows(source_table: str) -> Holder:
    def holder(pipeline: Pipeline) -> ContextManager:
        return RowLock(pipeline.admin,
                       f"SELECT * FROM `{pipeline.schema('analytics')}`.safeguard_backups"
                       " WHERE source_table = %s AND kind = 'backup' AND status = 'verified' FOR UPDATE",
                       (source_table,))
    return holder


def hold_catalog_after_swap(schema: str, table: str, swap_pattern: str) -> Holder:
    """The swap of `schema.table` (a restore's or rollback's RENAME, seen as
    `swap_pattern`) commits, and the catalog write after it waits on the
    table's verified backup rows, locked FOR UPDATE only once the RENAME is
    waiting. (Locked from the start, they would stop the operation before
    its RENAME: it plans its catalog rows first.)"""
    def holder(pipeline: Pipeline) -> ContextManager:
        return _Handover(pipeline, hold_metadata(schema, table), swap_pattern, _verified_backup_rows(table))
    return holder


def etl_night(pipeline: Pipeline) -> Running:
    return pipeline.start_etl()


def at_statement(pattern: str, fault: Fault, hold: Holder = no_hold, start: Starter = etl_night,
                 hold_after: Sequence[str] = (), hold_for: float = 0.0, timeout: float = 300.0,
                 observed: Optional[dict] = None):
    """The injector. `pattern` may use {prefix}. With `hold_after` the lock is
    taken only once log lines containing those texts were seen in order, e.g.
    ("START    run",) once the load has swapped new staging tables in. `hold_for` keeps the lock that many seconds
    after the fault (a long reader). `observed` receives the lock holder and
    the statement seen."""
    def inject(pipeline: Pipeline) -> Finished:
        run = start(pipeline)
        try:
            if hold_after:
                run.wait_for_message(*hold_after)
            with hold(pipeline) as holder:
                statement = wait_for_statement(pipeline.admin, pattern.format(prefix=pipeline.prefix),
                                               timeout=timeout, process=run.process)
                if observed is not None:
                    observed.update(holder=holder, statement=statement, seen_at=time.monotonic())
                fault(pipeline, run, statement)
                if hold_for:
                    time.sleep(hold_for)
            return run.wait()
        finally:
            if run.process.poll() is None:
                sigkill_group(run.process)
    return inject
