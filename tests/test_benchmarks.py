"""The overhead benchmark's machinery runs end to end, at a tiny size.

`scripts/bench_safeguard.py` is the command the README's numbers come from.
At 20 and 200 tenants the timings mean nothing, so this asserts on what the
benchmark measured and printed, not on how fast anything was: every section
is there, the statements it splits the time into were found on the server
(a restore's RENAME, an incremental's copy), and the numbers are numbers.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from safeguard_testing.harness import REPO_ROOT

pytestmark = pytest.mark.slow

SIZES = (20, 200)
INCREMENTALS = ("moveout_notices", "tenant_status_history")
RESTORED = ("silver.int_contracts", "silver.tenant_status_history")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "bench_safeguard.py"),
         "--sizes", *map(str, SIZES), "--rounds", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=900, cwd=REPO_ROOT,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.stdout, json.loads(out.read_text())


def test_benchmark_prints_every_section_with_the_machine_load(tiny_run):
    stdout, _ = tiny_run
    for heading in ("load average (1/5/15 min): before", "1. dbt run: safeguard on", "2. protected table models",
                    "3. incremental copies vs the server's own", "4. restore_backup", "dbt start-up", "uptime:"):
        assert heading in stdout, heading
    for name in INCREMENTALS:
        assert f"{name}: growth for 10x data" in stdout
    for table in RESTORED:
        assert f"  {table}\n" in stdout


def test_benchmark_measures_runs_copies_and_restores_at_both_sizes(tiny_run):
    _, result = tiny_run
    assert result["sizes"] == list(SIZES) and result["rounds"] == 1
    for size in map(str, SIZES):  # JSON keys are strings
        run = result["run"][size]
        assert len(run["on_all"]) == len(run["off_all"]) == 1
        assert run["on"] > 0 and run["off"] > 0
        assert run["create_backups on"] > 0 and run["finish_run on"] > 0
        copies = result["incremental_copies"][size]
        assert sorted(copies) == sorted(INCREMENTALS)
        for name in INCREMENTALS:
            # Both copies were found among the server's statements.
            assert copies[name]["baseline"] > 0 and copies[name]["copy"] > 0, (name, copies[name])
        assert result["table_models"][size]["on"]["swap"] > 0
        assert result["table_models"][size]["off"]["drop"] > 0  # off: the old table is dropped, not kept
        for table in RESTORED:
            restore = result["restore"][size][table]
            assert restore["swap"] > 0 and restore["wall"] > 0
            assert restore["verification (fingerprints)"] > 0
        assert result["dbt_startup"][size] > 0
        rows = result["rows"][size]
        assert rows[f"silver.tenant_status_history"] > 0 and rows["silver.int_contracts"] > 0


def test_audit_benchmark_finds_the_audits_statements_for_both_models_at_both_sizes(tmp_path):
    out = tmp_path / "audit.json"
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "bench_safeguard.py"),
         "--audit", "--sizes", "200", "2000", "--rounds", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=900, cwd=REPO_ROOT,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    result = json.loads(out.read_text())
    assert sorted(result, key=int) == ["200", "2000"]
    for size in result.values():
        for model in ("wide_table", "history"):
            # the audit's statements were found among the model's own, and are part of its build
            assert 0 < size[model]["audit"] < size[model]["build"]
    assert "the audit adds at most" in completed.stdout
