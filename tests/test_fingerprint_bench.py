"""Backup verification of a 1M-row table with a STORED and a VIRTUAL
generated column (issue 16), through the package's own `_copy_table` and
`_fingerprint`: every faithful copy must fingerprint like its source
(CHECKSUM TABLE of such a table is not stable on MariaDB at this size).
`scripts/bench_fingerprint.py` is also the command the numbers in
docs/benchmarks.md come from; this test prints its report. At 1M rows it
takes about 15 s per adapter type, so it is part of the default run."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from safeguard_testing.harness import REPO_ROOT

pytestmark = pytest.mark.slow

ROWS = 1_000_000


@pytest.mark.parametrize("adapter_type", ["mysql", "mariadb"])
def test_rowhash1_of_every_faithful_copy_matches_its_source_at_1m_rows(tmp_path, adapter_type):
    out = tmp_path / "fingerprint.json"
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "bench_fingerprint.py"), "--rows", str(ROWS), "--copies", "2",
         "--adapter-type", adapter_type, "--json", str(out)],
        capture_output=True, text=True, timeout=1800, cwd=REPO_ROOT,
    )
    print(completed.stdout)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["rows"] == ROWS
    rowhash = [s for s in result["samples"] if s["method"] == "rowhash1"]
    assert len(rowhash) == 2 and all(s["stable"] for s in rowhash), rowhash
    assert all(s["source_seconds"] > 0 for s in result["samples"])
    assert "| rowhash1 |" in completed.stdout and "| checksum_table |" in completed.stdout
