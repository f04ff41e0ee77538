"""A SIGKILL of the ETL while a protected incremental merges (its DELETE +
INSERT and its audit run in one transaction): the history is as it was
before the run, and the next `safeguard etl` proceeds unaided."""
from __future__ import annotations

import pytest

from faults.cases import etl_fault_case


@pytest.mark.parametrize("adapter", ["mysql", "mariadb"])
def test_sigkill_of_the_etl_during_an_incremental_merge_loses_nothing_and_the_next_etl_runs(lab, adapter):
    etl_fault_case(lab, adapter, "incremental build (tmp + DELETE+INSERT)", "SIGKILL driver")
