#!/usr/bin/env python3
"""What safeguard adds to a `dbt run`, and what a restore costs: benchmarks/safeguard_overhead.py.

    .venv/bin/python scripts/bench_safeguard.py [--quick] [--sizes SMALL LARGE] [--rounds N] [--json FILE]
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from safeguard_overhead import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
