"""The full (point x fault) matrix over `safeguard etl` on the reference
project: each case interrupts one statement of interest, runs the prescribed
recovery (`safeguard etl` again) and checks the guarantee on the data.

Run with `scripts/faults.sh` (docs/faults.md); it prints the matrix.
"""
from __future__ import annotations

from typing import List

import pytest

from faults.cases import ETL_POINTS, GATED_POINTS, etl_fault_case, hook_fault_case
from faults.injectors import sigkill_group
from faults.scenario import assert_survived, run_scenario

pytestmark = pytest.mark.faults


def matrix_cases() -> List:
    cases = []
    for point in ETL_POINTS:
        for fault in ("SIGKILL driver", "SIGKILL mariadbd", "KILL connection"):
            cases.append(pytest.param(point, fault, id=f"{point} x {fault}"))
    for point in ("dump load (rows into shadow)", "backup copy (incremental)", "model build (CREATE TABLE AS)"):
        cases.append(pytest.param(point, "full disk", id=f"{point} x full disk"))
    for point in ("staging swap (loader RENAME)", "table model swap (RENAME)"):
        cases.append(pytest.param(point, "long reader (MDL)", id=f"{point} x long reader"))
    return cases


@pytest.mark.parametrize("point, fault", matrix_cases())
def test_etl_survives_fault_at_statement(lab, adapter, point, fault):
    etl_fault_case(lab, adapter, point, fault)


@pytest.mark.parametrize("point", list(GATED_POINTS))
@pytest.mark.parametrize("fault", ["SIGKILL driver", "SIGKILL mariadbd", "KILL connection"])
def test_etl_survives_fault_in_a_model_hook(lab, adapter, point, fault):
    hook_fault_case(lab, adapter, point, fault)


@pytest.mark.parametrize("step", ["seed", "run", "test", "archive"])
def test_etl_survives_sigkill_between_steps(lab, adapter, step):
    def inject(pipeline):
        run = pipeline.start_etl()
        run.wait_for_event("step_start", step=step)
        sigkill_group(run.process)
        return run.wait()

    assert_survived(run_scenario(lab, adapter, f"between steps (before {step})", "SIGKILL driver", inject))
