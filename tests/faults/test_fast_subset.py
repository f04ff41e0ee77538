"""The representative fast subset of the fault matrix, in the default run
(and so in .ci/run): a crash of mariadbd during the loader's swap, a lost
connection inside a model's transaction, one under each adapter type. The
whole matrix is `scripts/faults.sh`."""
from __future__ import annotations

from faults.cases import etl_fault_case, hook_fault_case


def test_mariadbd_crash_during_the_staging_swap_loses_nothing_and_the_next_etl_runs(lab):
    etl_fault_case(lab, "mysql", "staging swap (loader RENAME)", "SIGKILL mariadbd")


def test_lost_connection_inside_a_models_transaction_loses_nothing_and_the_next_etl_runs(lab):
    hook_fault_case(lab, "mariadb", "model post-hook (in transaction)", "KILL connection")
