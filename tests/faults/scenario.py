"""One fault scenario: nights before, the faulted night, the prescribed
recovery, and every check of the guarantee, with its row in the matrix."""
from __future__ import annotations

import dataclasses
import re
import time
from typing import Callable, Dict, List, Optional, Tuple

import pymysql

from dbt_safeguard.connection import ConnectionSettings
from faults import matrix
from faults.injectors import UserReader
from faults.invariants import catalog_problems, leftover_problems, state_problems
from faults.lab import Lab
from faults.pipeline import Finished, Pipeline

GATE_TIMEOUT = 120  # seconds a gated hook waits for the suite before it goes on by itself


class Gate:
    """A hook statement that waits on a named lock the suite holds: a precise
    point inside dbt (before a model, inside its transaction after its
    post-hooks, at on-run-start...). `reached()` waits until a process is
    there; `open()` lets it go on."""

    def __init__(self, settings: ConnectionSettings, name: str):
        self.name = f"fault_gate_{name}"
        self.conn = settings.connect()
        with self.conn.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 0)", (self.name,))
            assert cur.fetchone()[0] == 1, f"gate {self.name} is taken"

    def sql(self) -> str:
        # GET_LOCK then RELEASE_LOCK in one statement: it waits, then leaves the lock free.
        return f"select get_lock('{self.name}', {GATE_TIMEOUT}) + release_lock('{self.name}') as fault_gate"

    def pattern(self) -> str:
        return re.escape(f"get_lock('{self.name}'")

    def open(self) -> None:
        if self.conn is not None:
            try:
                with self.conn.cursor() as cur:
                    cur.execute("SELECT RELEASE_LOCK(%s)", (self.name,))
                self.conn.close()
            except pymysql.err.MySQLError:
                pass  # the server went down with the lock
            self.conn = None


def add_model_hook(pipeline: Pipeline, model: str, sql: str, transaction: bool = True, pre: bool = False) -> None:
    """Adds a hook to one model of the pipeline's private project copy (dbt
    adds hooks from every config() call)."""
    path = next(pipeline.project.joinpath("models").rglob(f"{model}.sql"))
    kind = "pre_hook" if pre else "post_hook"
    hook = "{{ config(" + kind + "={'sql': \"" + sql + "\", 'transaction': " + str(transaction) + "}) }}\n"
    path.write_text(hook + path.read_text())


def add_run_hook(pipeline: Pipeline, which: str, sql: str, first: bool = True, command: str = "run") -> None:
    """Adds an on-run-start/on-run-end hook, only for `dbt <command>`."""
    path = pipeline.project / "dbt_project.yml"
    text = path.read_text()
    line = f'  - "{{% if flags.WHICH == \'{command}\' %}}{sql}{{% endif %}}"\n'
    head = f"{which}:\n"
    assert head in text
    if first:
        text = text.replace(head, head + line, 1)
    else:
        start = text.index(head) + len(head)
        end = start
        while end < len(text) and text[end:].startswith("  - "):
            end = text.index("\n", end) + 1
        text = text[:end] + line + text[end:]
    path.write_text(text)


@dataclasses.dataclass
class Result:
    """What a scenario observed; `problems` empty means the guarantee held."""
    problems: List[str] = dataclasses.field(default_factory=list)
    lost: List[str] = dataclasses.field(default_factory=list)
    fault_run: Optional[Finished] = None
    recovery: Optional[Finished] = None
    recovery_seconds: float = 0.0
    longest_block: float = 0.0
    notes: List[str] = dataclasses.field(default_factory=list)


Inject = Callable[[Pipeline], Optional[Finished]]


def run_scenario(lab: Lab, adapter: str, point: str, fault: str, inject: Inject, *,
                 before: Tuple[int, ...] = (1,), day: int = 2, allowed_after_fault: str = "pre-or-complete",
                 recover: Optional[Callable[[Pipeline], Finished]] = None,
                 prepare: Optional[Callable[[Pipeline], None]] = None, complete_days: Optional[Tuple[int, ...]] = None,
                 block_bound: Optional[float] = None, pipeline: Optional[Pipeline] = None,
                 complete_states: Optional[Dict] = None, transitional: Optional[Dict] = None) -> Result:
    """Nights `before`, then `inject` (which starts the faulted night of `day`
    or an operation, and returns once the fault is done), then the
    recovery (default: just run `safeguard etl` again on the same dump).

    Checks: each protected table is its pre-run or completed-run state after
    the fault, its completed-run state after the recovery; the recovery
    succeeds unaided; the catalog tells the truth; nothing is left over.
    """
    result = Result()
    own = pipeline is None
    pipeline = pipeline or lab.pipeline(adapter)
    finished = False
    lost_datadirs = len(lab.lost_datadirs)
    try:
        for night in before:
            done = pipeline.night(night)
            assert done.returncode == 0, f"night {night} before the fault failed: {done.explain()}"
        pre = pipeline.states()
        assert pre == lab.oracle(adapter, before), "the warehouse before the fault is not the oracle's"
        complete = complete_states or lab.oracle(adapter, complete_days or before + (day,))
        if prepare is not None:
            prepare(pipeline)
        pipeline.put_dump(day)
        tables = pipeline.quoted_protected() + [f"`{pipeline.schema('staging')}`.`tenants`"]
        with UserReader(lab.admin, tables) as reader:
            result.fault_run = inject(pipeline)
            lab.ensure_up()
        result.longest_block = reader.longest_wait
        if reader.missing:
            result.problems.append(f"readers found a table missing {len(reader.missing)} times:"
                                   f" {sorted(set(reader.missing))}")
        if block_bound is not None and reader.longest_wait > block_bound:
            result.problems.append(f"a reader waited {reader.longest_wait:.1f}s on {reader.longest_table},"
                                   f" more than {block_bound:.0f}s")
        pipeline.reconnect()
        after = pipeline.states()
        for table, state in (transitional or {}).items():
            if after.get(table) == state:  # an allowed state in between, e.g. a restore that happened
                after[table] = complete[table]
        found = state_problems(after, pre, complete, "after the fault", must_be_complete=False)
        result.lost += found["lost"]
        result.problems += found["problems"]

        started = time.monotonic()
        pipeline.put_dump(day)
        result.recovery = (recover or (lambda p: p.etl()))(pipeline)
        result.recovery_seconds = time.monotonic() - started
        if result.recovery.returncode != 0:
            result.problems.append(f"the recovery run failed: {result.recovery.explain()}")
        final = state_problems(pipeline.states(), pre, complete, "after the recovery", must_be_complete=True)
        result.lost += final["lost"]
        result.problems += final["problems"]
        result.problems += catalog_problems(pipeline)
        result.problems += leftover_problems(pipeline)
        finished = True
        return result
    except BaseException as exc:
        result.problems.append(f"stopped: {type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}")
        raise
    finally:
        if not finished:
            result.problems.append("the scenario stopped early")
        result.problems += lab.lost_datadirs[lost_datadirs:]
        survived = not result.problems and not result.lost
        matrix.record(matrix.Row(
            point=point, fault=fault, adapter=adapter, survived=survived, data_lost=len(result.lost),
            longest_block=round(result.longest_block, 1), recovery_seconds=round(result.recovery_seconds, 1),
            notes="; ".join((result.lost + result.problems + result.notes))[:600] or "",
        ))
        if lab.disk is not None:
            lab.disk.unfill()
        if own:
            lab.ensure_up()
            try:
                pipeline.reconnect()
                pipeline.drop_everything()
            except pymysql.err.OperationalError:
                pass  # the lab moved to a fresh server: this warehouse went with the old one
            pipeline.close()


def assert_survived(result: Result) -> None:
    assert not result.lost, "DATA LOST: " + "; ".join(result.lost)
    assert not result.problems, "; ".join(result.problems)
