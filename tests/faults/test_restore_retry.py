"""Fast routes of the fault suite (in the default run, so in .ci/run): a
restore cut off just after its RENAME (SIGKILL of the command, KILL <id> of
its connection, a crash of mariadbd), then retried with the same command, as
an operator would. The retry must report the first restore (and say that its
RENAME had happened), never restore a second, older backup; the next
`safeguard etl` then runs as usual. One adapter type per fault, to stay
fast; the full matrix (scripts/faults.sh) has the rest."""
from __future__ import annotations

import pytest

from faults.points import at_statement, crash_server, hold_catalog_after_swap, lost_connection, sigkill_driver
from faults.scenario import assert_survived, run_scenario

HISTORY = "silver.tenant_status_history"
RESTORE_RENAME = r"rename\s+table.*tenant_status_history_backup_\d{{8}}_\d{{6}}`?\s+to\s+`?{prefix}silver`?\.`?tenant_status_history`?"
CATALOG_AFTER_SWAP = r"update\s+.*safeguard_backups.*set\s+status\s*=\s*'restored'"


def restore_args(pipeline) -> str:
    return f"{{table: {pipeline.schema('silver')}.tenant_status_history}}"


def messages(finished) -> str:
    return "\n".join(e.get("message") or e.get("info", {}).get("msg") or "" for e in finished.events)


CASES = [("SIGKILL dbt", "mysql"), ("KILL connection", "mariadb"), ("SIGKILL mariadbd", "mysql")]


@pytest.mark.parametrize("fault, adapter", CASES, ids=[f"{f} x {a}" for f, a in CASES])
def test_a_restore_killed_after_its_rename_and_retried_reports_the_first_restore(lab, fault, adapter):
    faults = {"SIGKILL dbt": sigkill_driver, "KILL connection": lost_connection, "SIGKILL mariadbd": crash_server(lab)}
    restored_state = lab.oracle(adapter, (1,))[HISTORY]
    complete = dict(lab.oracle(adapter, (1, 2)))
    seen = {}

    def start(pipeline):
        return pipeline.start_operation("restore_backup", restore_args(pipeline))

    def retry_then_etl(pipeline):
        replaced_before = [r for r in pipeline.catalog_rows() if r["kind"] == "replaced"]
        retried = pipeline.operation("restore_backup", restore_args(pipeline))
        seen.update(retried=retried, state=pipeline.states()[HISTORY],
                    replaced=[r for r in pipeline.catalog_rows() if r["kind"] == "replaced"],
                    replaced_before=replaced_before, restored=[r for r in pipeline.catalog_rows()
                                                               if r["status"] == "restored"])
        return pipeline.etl()

    inject = at_statement(CATALOG_AFTER_SWAP, faults[fault],
                          hold=hold_catalog_after_swap("silver", "tenant_status_history", RESTORE_RENAME), start=start)
    result = run_scenario(lab, adapter, "restore (RENAME -> catalog write), retried", fault, inject,
                          before=(1, 2), day=2, complete_states=complete,
                          transitional={HISTORY: restored_state}, recover=retry_then_etl)
    assert_survived(result)
    retried = seen["retried"]
    assert retried.returncode == 0, retried.explain()
    text = messages(retried)
    assert "HAD happened" in text, text[-2000:]  # whether the RENAME happened, and what to run next
    assert "was already restored since its last run" in text and "nothing was changed" in text
    assert seen["state"] == restored_state  # the first restore stands; no older backup went in
    assert len(seen["replaced"]) == len(seen["replaced_before"]) == 1
    assert [r["source_table"] for r in seen["restored"]] == ["tenant_status_history"]
