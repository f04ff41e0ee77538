"""Faults during the package's own swaps and drops: restore_backup, the
automatic rollback in finish_run, prune_backups; and concurrent runs."""
from __future__ import annotations

import time

import pytest

from faults.cases import BALLAST_ROWS, RUN_BACKUPS_TAKEN
from faults.dump_edits import with_ballast
from faults.injectors import wait_for_statement
from faults.points import (at_statement, crash_server, hold_backup_tables, hold_catalog_after_swap, hold_metadata,
                           lost_connection, sigkill_driver)
from faults.scenario import Gate, add_model_hook, add_run_hook, assert_survived, run_scenario

pytestmark = pytest.mark.faults

LONG_READER_SECONDS = 20.0
READER_BOUND = 10.0
HISTORY = "silver.tenant_status_history"
RESTORE_RENAME = r"rename\s+table.*tenant_status_history_backup_\d{{8}}_\d{{6}}`?\s+to\s+`?{prefix}silver`?\.`?tenant_status_history`?"
CATALOG_AFTER_SWAP = r"update\s+.*safeguard_backups.*set\s+status\s*=\s*'restored'"
# the RENAME commits, then its catalog write waits on the locked rows
CATALOG_HOLD = hold_catalog_after_swap("silver", "tenant_status_history", RESTORE_RENAME)
PRUNE_DROP = r"drop\s+table\s+.*_backup_\d{{8}}_\d{{6}}"


def faults_for(lab):
    return {"SIGKILL dbt": sigkill_driver, "SIGKILL mariadbd": crash_server(lab), "KILL connection": lost_connection}


def noop(pipeline, run, statement) -> None:
    pass


def restore_history(pipeline):
    return pipeline.start_operation("restore_backup", f"{{table: {pipeline.schema('silver')}.tenant_status_history}}")


def restored_states(lab, adapter):
    """After nights 1 and 2, a restore of the history gives back its night-1 state."""
    states = dict(lab.oracle(adapter, (1, 2)))
    return {HISTORY: lab.oracle(adapter, (1,))[HISTORY]}, states


RESTORE_CASES = [
    ("restore (RENAME)", "SIGKILL dbt", RESTORE_RENAME, hold_metadata("silver", "tenant_status_history")),
    ("restore (RENAME)", "SIGKILL mariadbd", RESTORE_RENAME, hold_metadata("silver", "tenant_status_history")),
    ("restore (RENAME)", "KILL connection", RESTORE_RENAME, hold_metadata("silver", "tenant_status_history")),
    ("restore (RENAME -> catalog write)", "SIGKILL dbt", CATALOG_AFTER_SWAP, CATALOG_HOLD),
    ("restore (RENAME -> catalog write)", "SIGKILL mariadbd", CATALOG_AFTER_SWAP,
     CATALOG_HOLD),
]


@pytest.mark.parametrize("point, fault, pattern, hold", RESTORE_CASES, ids=[f"{c[0]} x {c[1]}" for c in RESTORE_CASES])
def test_restore_survives_fault(lab, adapter, point, fault, pattern, hold):
    """Recovery: the next `safeguard etl` reconciles the catalog and runs."""
    transitional, complete = restored_states(lab, adapter)
    inject = at_statement(pattern, faults_for(lab)[fault], hold=hold, start=restore_history)
    assert_survived(run_scenario(lab, adapter, point, fault, inject, before=(1, 2), day=2,
                                 complete_states=complete, transitional=transitional))


def test_restore_behind_a_long_reader_gives_up_in_bound_and_names_it(lab, adapter):
    transitional, complete = restored_states(lab, adapter)
    observed = {}
    inject = at_statement(RESTORE_RENAME, noop, hold=hold_metadata("silver", "tenant_status_history"),
                          start=restore_history, hold_for=LONG_READER_SECONDS, observed=observed)
    result = run_scenario(lab, adapter, "restore (RENAME)", "long reader (MDL)", inject, before=(1, 2), day=2,
                          complete_states=complete, transitional=transitional, block_bound=READER_BOUND)
    restore = result.fault_run
    waited = restore.duration
    blocker = str(observed["holder"].connection_id)
    if restore.returncode != 0:
        assert blocker in restore.explain(), f"the refusal does not name connection {blocker}: {restore.explain()}"
    assert_survived(result)
    assert waited < LONG_READER_SECONDS + 30


def failing_history_post_hook(pipeline):
    """The history's insert commits, then a post-hook fails until the operator
    fixes it (creates the table it reads): finish_run must roll the history back."""
    marker = f"`{pipeline.schema('analytics')}`.fault_fixed"
    add_model_hook(pipeline, "tenant_status_history", f"select * from {marker}", transaction=False)


def fix_and_rerun(pipeline):
    pipeline.sql.execute(f"CREATE TABLE IF NOT EXISTS `{pipeline.schema('analytics')}`.fault_fixed (id int)")
    return pipeline.etl()


ROLLBACK_CASES = [
    ("rollback in finish_run (RENAME)", "SIGKILL driver", RESTORE_RENAME, hold_metadata("silver", "tenant_status_history"), ()),
    ("rollback in finish_run (RENAME)", "SIGKILL mariadbd", RESTORE_RENAME, hold_metadata("silver", "tenant_status_history"), ()),
    ("rollback in finish_run (RENAME)", "KILL connection", RESTORE_RENAME, hold_metadata("silver", "tenant_status_history"), ()),
    ("rollback (RENAME -> catalog write)", "SIGKILL driver", CATALOG_AFTER_SWAP, CATALOG_HOLD,
     RUN_BACKUPS_TAKEN),
    ("rollback (RENAME -> catalog write)", "SIGKILL mariadbd", CATALOG_AFTER_SWAP, CATALOG_HOLD,
     RUN_BACKUPS_TAKEN),
]


@pytest.mark.parametrize("point, fault, pattern, hold, hold_after", ROLLBACK_CASES,
                         ids=[f"{c[0]} x {c[1]}" for c in ROLLBACK_CASES])
def test_automatic_rollback_survives_fault(lab, adapter, point, fault, pattern, hold, hold_after):
    faults = dict(faults_for(lab), **{"SIGKILL driver": sigkill_driver})
    inject = at_statement(pattern, faults[fault], hold=hold, hold_after=hold_after)
    assert_survived(run_scenario(lab, adapter, point, fault, inject, prepare=failing_history_post_hook,
                                 recover=fix_and_rerun))


def test_rollback_behind_a_long_reader_keeps_readers_moving(lab, adapter):
    inject = at_statement(RESTORE_RENAME, noop, hold=hold_metadata("silver", "tenant_status_history"),
                          hold_for=LONG_READER_SECONDS)
    assert_survived(run_scenario(lab, adapter, "rollback in finish_run (RENAME)", "long reader (MDL)", inject,
                                 prepare=failing_history_post_hook, recover=fix_and_rerun, block_bound=READER_BOUND))


def prune_everything(pipeline):
    return pipeline.start_operation("prune_backups", "{retention_days: 0, keep_last: 0}")


@pytest.mark.parametrize("fault", ["SIGKILL dbt", "SIGKILL mariadbd", "KILL connection", "long reader (MDL)"])
def test_prune_survives_fault(lab, adapter, fault):
    if fault == "long reader (MDL)":
        inject = at_statement(PRUNE_DROP, noop, hold=hold_backup_tables, start=prune_everything,
                              hold_for=LONG_READER_SECONDS)
        bound = READER_BOUND
    else:
        inject = at_statement(PRUNE_DROP, faults_for(lab)[fault], hold=hold_backup_tables, start=prune_everything)
        bound = None
    complete = lab.oracle(adapter, (1, 2))
    assert_survived(run_scenario(lab, adapter, "prune (DROP)", fault, inject, before=(1, 2), day=2,
                                 complete_states=complete, block_bound=bound))


# -- concurrency ---------------------------------------------------------------

def second_etl_refused_at(wait_for):
    def inject(pipeline):
        first = pipeline.start_etl(name="first")
        try:
            wait_for(pipeline, first)
            started = time.monotonic()
            second = pipeline.start_etl(name="second").wait(timeout=120)
            refused_in = time.monotonic() - started
        finally:
            done = first.wait()
        assert second.returncode != 0, "a second ETL ran beside the first"
        assert not [e for e in second.events if e.get("event") == "step_start"], "the second ETL started a step"
        assert "another safeguard ETL" in second.explain(), second.explain()
        assert refused_in < 30, f"the second ETL took {refused_in:.0f}s to be refused"
        assert done.returncode == 0, f"the first ETL failed beside the refused second: {done.explain()}"
        return done
    return inject


def during_load(pipeline, first):
    wait_for_statement(pipeline.admin, BALLAST_ROWS, process=first.process)


def during_run(pipeline, first):
    first.wait_for_message(*RUN_BACKUPS_TAKEN)


@pytest.mark.parametrize("when", ["load", "run"])
def test_second_etl_is_refused_and_the_first_completes(lab, adapter, when):
    def inject(pipeline):
        if when == "load":
            path = pipeline.root / "day002_ballast.sql.gz"
            with_ballast(pipeline.dumps[2], path)
            pipeline.day_paths[2] = path
            pipeline.put_dump(2)
        return second_etl_refused_at(during_load if when == "load" else during_run)(pipeline)

    assert_survived(run_scenario(lab, adapter, f"during {when}", "concurrent second ETL", inject))


def restore_at_gate(lab, pipeline, gate):
    """Starts the night, runs a restore of the history while the night stands
    at `gate`, then opens the gate: (the night, the restore, the protected
    tables' states right after the restore)."""
    run = pipeline.start_etl()
    try:
        wait_for_statement(lab.admin, gate.pattern(), process=run.process)
        restore = restore_history(pipeline).wait()
        states = pipeline.states()
    finally:
        gate.open()
    return run, restore, states


def test_restore_during_a_run_is_refused_and_changes_nothing(lab, adapter):
    """The run is held mid-build by a gate before gold.moveouts (its lease is
    held); a restore then must be refused."""
    box = {}

    def prepare(pipeline):
        box["gate"] = Gate(lab.admin, pipeline.prefix.rstrip("_") + "_midrun")
        add_model_hook(pipeline, "moveouts", box["gate"].sql(), transaction=False, pre=True)

    def inject(pipeline):
        run, restore, _ = restore_at_gate(lab, pipeline, box["gate"])
        assert restore.returncode != 0, "a restore ran in the middle of a dbt run"
        done = run.wait()
        assert done.returncode == 0, done.explain()
        return done

    assert_survived(run_scenario(lab, adapter, "during run (lease held)", "concurrent restore", inject,
                                 before=(1, 2), day=3, prepare=prepare))


def test_restore_between_seed_and_run_is_consistent(lab, adapter):
    """No lease is held between the ETL's `dbt seed` and its `dbt run`. A
    restore there is either refused, or the run backs up the restored table
    (never a half-restored one) and builds on it."""
    box = {}

    def prepare(pipeline):
        box["gate"] = Gate(lab.admin, pipeline.prefix.rstrip("_") + "_seedrun")
        add_run_hook(pipeline, "on-run-start", box["gate"].sql(), first=True, command="run")

    def inject(pipeline):
        run, box["restore"], states = restore_at_gate(lab, pipeline, box["gate"])
        box["restored_history"] = states[HISTORY]
        done = run.wait()
        assert done.returncode == 0, done.explain()
        if box["restore"].returncode == 0:
            backups = [r for r in pipeline.catalog_rows()
                       if r["kind"] == "backup" and r["source_table"] == "tenant_status_history"]
            latest = backups[-1]
            held = pipeline.sql.checksum(latest["backup_schema"], latest["backup_table"])
            assert (held, latest["row_count"]) == box["restored_history"], \
                "the run backed up something other than the restored table"
        return done

    complete = lab.oracle(adapter, (1, 2))
    result = run_scenario(lab, adapter, "between seed and run (no lease)", "concurrent restore", inject,
                          before=(1, 2), day=2, complete_states=complete, prepare=prepare)
    assert_survived(result)
