"""The representative fast subset of the fault matrix, in the default run
(and so in .ci/run): a crash of mariadbd during the loader's swap, a lost
connection inside a model's transaction, one under each adapter type. The
whole matrix is `scripts/faults.sh`."""
from __future__ import annotations

import pytest

from faults.cases import etl_fault_case, hook_fault_case
from faults.points import at_statement, full_disk, hold_rows
from faults.scenario import assert_survived, run_scenario


def test_mariadbd_crash_during_the_staging_swap_loses_nothing_and_the_next_etl_runs(lab):
    etl_fault_case(lab, "mysql", "staging swap (loader RENAME)", "SIGKILL mariadbd")


def test_lost_connection_inside_a_models_transaction_loses_nothing_and_the_next_etl_runs(lab):
    hook_fault_case(lab, "mariadb", "model post-hook (in transaction)", "KILL connection")


def test_a_full_disk_during_a_backup_names_the_servers_error_and_the_next_night_drops_the_copy(lab):
    """Case 12 of issue 16 (dbt 1.7). The disk fills while the backup copy
    of tenant_status_history waits on its rows: the copy's few rows still fit
    in the pages it already has, and the next statement that needs space (the
    verification's temporary table) fails with errno 28. The night ends with
    the server's error, not dbt's `'BaseResult' object has no attribute
    'node'` nor "see dbt.log"; the unverified copy's row stays `pending` (the
    hook died with it) and the next night's start drops it before it backs
    up again. When the disk fills while the copy still needs space, the copy
    itself fails and is dropped at once (test_catalog_integrity's 1114 case
    makes that route certain)."""
    seen = {}

    def recover(pipeline):
        seen["copies"] = [t for t in pipeline.tables() if "tenant_status_history_backup_" in t[1]]
        seen["rows"] = [r for r in pipeline.catalog_rows() if r["source_table"] == "tenant_status_history"]
        lab.disk.unfill()  # the operator frees space; the next night must then succeed
        recovered = pipeline.etl()
        seen["rows_after"] = [r for r in pipeline.catalog_rows() if r["source_table"] == "tenant_status_history"]
        seen["tables_after"] = {t[1] for t in pipeline.tables()}
        return recovered

    lab.require_disk()
    injector = at_statement(r"insert\s+into\s+.*tenant_status_history_backup_", full_disk(lab, leave_mb=0.01),
                            hold=hold_rows("silver", "tenant_status_history"))
    result = run_scenario(lab, "mariadb", "backup copy (incremental)", "full disk", injector, recover=recover)
    assert_survived(result)
    night = result.fault_run
    text = night.stderr + "\n".join(str(e.get("message", "")) for e in night.events)
    assert night.returncode != 0
    assert "BaseResult" not in text
    reason = night.explain()
    assert "see dbt.log" not in reason, reason
    (copy,) = [r for r in seen["rows"] if r["status"] not in ("verified", "restored")]
    if copy["status"] == "dropped":
        # the copy itself hit the full disk: dropped at once, the server's error named
        assert "silver.tenant_status_history (the copy failed: " in reason, reason
        assert copy["backup_table"] not in {t[1] for t in seen["copies"]}
    else:
        # the copy fit; the disk was full for its verification (errno 28 in a
        # temporary table): the hook died with the row pending, the server's
        # first error is named, and the next night's start drops the copy
        assert copy["status"] == "pending", seen["rows"]
        assert "on-run-start failed: " in reason and "No space left on device" in reason, reason
        assert copy["backup_table"] in {t[1] for t in seen["copies"]}
        (settled,) = [r for r in seen["rows_after"] if r["backup_table"] == copy["backup_table"]]
        assert settled["status"] == "failed" and copy["backup_table"] not in seen["tables_after"], settled
