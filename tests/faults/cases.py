"""The fault cases of the matrix, as functions: the full matrix
(test_fault_matrix.py) and the fast subset (test_fast_subset.py) run them."""
from __future__ import annotations

from typing import Callable, Dict

from faults.dump_edits import with_ballast
from faults.points import (at_statement, crash_server, full_disk, hold_metadata, hold_rows, lost_connection,
                           no_hold, sigkill_driver)
from faults.scenario import Gate, add_model_hook, assert_survived, run_scenario

LONG_READER_SECONDS = 20.0
# A reader may wait one lock attempt of the package (safeguard_lock_wait_seconds,
# default 3 s), not the whole time another reader holds its transaction open.
READER_BOUND = 10.0


def noop(pipeline, run, statement) -> None:
    """The fault is the lock itself (a long reader)."""


def etl_faults(lab) -> Dict[str, Callable]:
    return {"SIGKILL driver": sigkill_driver, "SIGKILL mariadbd": crash_server(lab),
            "KILL connection": lost_connection}


# The run's create_backups has finished (the seed's SUMMARY line says "verified backup(s)" too).
RUN_BACKUPS_TAKEN = ("START    run", "verified backup(s)")

# The dump's ballast rows going into the shadow schema: as LOAD DATA LOCAL
# where the loader proves it reads the same values, else as the dump's INSERT.
BALLAST_ROWS = r"(?:insert\s+into|load\s+data\s+local\s+infile\s.*?\sinto\s+table)\s+\S*zz_ballast"

# point: (statement pattern, lock that keeps it waiting, log lines after which to take the lock)
ETL_POINTS = {
    "dump load (rows into shadow)": (BALLAST_ROWS, no_hold, ()),
    "staging swap (loader RENAME)": (r"rename\s+table.*{prefix}staging_previous", hold_metadata("staging", "tenants"),
                                     ()),
    "backup copy (incremental)": (r"insert\s+into\s+.*tenant_status_history_backup_",
                                  hold_rows("silver", "tenant_status_history"), ()),
    "table model swap (RENAME)": (r"rename\s+table\s+.*{prefix}gold`?\.`?new_contracts\b",
                                  hold_metadata("gold", "new_contracts"), ()),
    "model build (CREATE TABLE AS)": (r"create\s+table\s+.*int_contracts__dbt_tmp", hold_rows("staging", "tenants"),
                                      ("START    run",)),
    # its build reads the live history (is_incremental), then DELETE+INSERT in one transaction
    "incremental build (tmp + DELETE+INSERT)": (r"(create\s+temporary\s+table\s+\S*tenant_status_history__dbt_tmp"
                                                r"|delete\s+from\s+`?{prefix}silver`?\.`?tenant_status_history`?\s)",
                                                hold_rows("silver", "tenant_status_history"), RUN_BACKUPS_TAKEN),
}


def etl_fault_case(lab, adapter, point, fault):
    """One (point x fault) case of the ETL; the fast subset calls it too."""
    pattern, hold, hold_after = ETL_POINTS[point]
    block_bound = None
    hold_for = 0.0
    recover = None
    if fault == "full disk":
        inject_fault = full_disk(lab)
        lab.require_disk()

        def recover(pipeline):
            lab.disk.unfill()  # the operator frees space; the next night must then succeed
            return pipeline.etl()
    elif fault == "long reader (MDL)":
        inject_fault, hold_for, block_bound = noop, LONG_READER_SECONDS, READER_BOUND
    else:
        inject_fault = etl_faults(lab)[fault]
    injector = at_statement(pattern, inject_fault, hold=hold, hold_after=hold_after, hold_for=hold_for)
    dump = None
    if point.startswith("dump load"):
        def injector_with_ballast(pipeline, inner=injector):
            path = pipeline.root / "day002_ballast.sql.gz"
            with_ballast(pipeline.dumps[2], path)
            pipeline.day_paths[2] = path  # the recovery reruns the same dump
            pipeline.put_dump(2)
            return inner(pipeline)
        dump = injector_with_ballast
    result = run_scenario(lab, adapter, point, fault, dump or injector, recover=recover, block_bound=block_bound)
    assert_survived(result)


# Gated points: a hook statement waits on a named lock the suite holds.
GATED_POINTS = {
    # inside the incremental's transaction, after its post-hook ran, before COMMIT
    "model post-hook (in transaction)": dict(model="tenant_status_history", transaction=True),
    # after the model committed, before on-run-end's finish_run
    "after model commit (post-hook)": dict(model="tenant_status_history", transaction=False),
}


def hook_fault_case(lab, adapter, point, fault):
    gate_box = {}

    def prepare(pipeline):
        gate_box["gate"] = Gate(lab.admin, pipeline.prefix.rstrip("_"))
        options = GATED_POINTS[point]
        add_model_hook(pipeline, options["model"], gate_box["gate"].sql(), transaction=options["transaction"])

    def inject(pipeline):
        gate = gate_box["gate"]
        try:
            return at_statement(gate.pattern(), etl_faults(lab)[fault])(pipeline)
        finally:
            gate.open()

    assert_survived(run_scenario(lab, adapter, point, fault, inject, prepare=prepare))
