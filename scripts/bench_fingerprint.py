#!/usr/bin/env python3
"""Backup verification at 1M rows with generated columns: rowhash1 against CHECKSUM TABLE, benchmarks/fingerprint_cost.py.

    .venv/bin/python scripts/bench_fingerprint.py [--rows N] [--copies N] [--json FILE]
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from fingerprint_cost import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
