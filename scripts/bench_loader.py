#!/usr/bin/env python3
"""Benchmark `safeguard load` against the `mariadb` client and myloader: see benchmarks/loader_bench.py.

    .venv/bin/python scripts/bench_loader.py                     # 2 dumps of ~170 MB, 3 rounds
    .venv/bin/python scripts/bench_loader.py --target-mb 30 --rounds 3   # a few minutes
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from loader_bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
