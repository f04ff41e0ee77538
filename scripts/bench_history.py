#!/usr/bin/env python3
"""How fast `safeguard history` answers on a catalog of 1,000 runs: benchmarks/history_bench.py.

    .venv/bin/python scripts/bench_history.py [--runs N] [--rounds N]
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from history_bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
