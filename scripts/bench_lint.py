"""Time `safeguard lint` (our rules and MySQL's grammar, every branch) against stock sqlfluff.

    .venv/bin/python scripts/bench_lint.py [--small-files N] [--repeat R] [paths...]   (default: dbt)

It measures two inputs: the project (paths, default the reference project
dbt/) and many small files, one statement per file (the first N valid
statements of tests/lint/corpus, written to a temporary folder), where the
per-file cost of rendering dominates.

Stock sqlfluff is what a team would run without this package: the mysql
dialect, the jinja templater with dbt builtins (is_incremental() always true,
so one rendering per file) and sqlfluff's default core rules, on the same
files, in the same process, single-threaded. Ours runs with the grammar gate
(one Node helper started per lint run, as `safeguard lint` does) and without it.
Each side runs REPEAT times, interleaved, after a warm-up; the best time counts.
Wall time depends on what else the machine runs; CPU time much less. CPU
counts the whole process tree: this process and, through
getrusage(RUSAGE_CHILDREN), the Node helper, which each lint run starts and
waits for. Not part of CI: timings depend on the machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 5
SMALL_FILES = 200
REPO = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the grammar
    helper exits at the end of each lint run)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def best_of(*fns, repeat: int = REPEAT) -> list:
    """(best wall time, best CPU time) of each fn over REPEAT rounds; the
    rounds interleave the fns so that load from other processes on the
    machine hits them alike. CPU time does not depend on that load."""
    for fn in fns:
        fn()  # warm-up: dialect, plugin and macro loading
    walls = [[] for _ in fns]
    cpus = [[] for _ in fns]
    for _ in range(repeat):
        for fn, wall, cpu in zip(fns, walls, cpus):
            start, start_cpu = time.perf_counter(), cpu_seconds()
            fn()
            wall.append(time.perf_counter() - start)
            cpu.append(cpu_seconds() - start_cpu)
    return [(min(wall), min(cpu)) for wall, cpu in zip(walls, cpus)]


def small_files(folder: Path, count: int) -> list:
    """The first count valid corpus statements, one per file."""
    from safeguard_testing.lint_corpus import statements

    files = []
    for number, statement in enumerate(statements("valid")[:count]):
        path = folder / f"statement_{number:04d}.sql"
        path.write_text(statement.sql.rstrip().rstrip(";") + "\n", encoding="utf-8")
        files.append(str(path))
    return files


def measure(files: list, label: str, repeat: int) -> int:
    from sqlfluff.core import FluffConfig, Linter

    from dbt_safeguard.lint.project_linter import ProjectLinter

    def stock_config(rules: str) -> FluffConfig:
        return FluffConfig(
            configs={
                "core": {"dialect": "mysql", "templater": "jinja", "rules": rules},
                "templater": {
                    "jinja": {"apply_dbt_builtins": True, "load_macros_from_path": "dbt/macros,macros"}
                },
            },
        )

    stock_core = Linter(config=stock_config("core"))
    stock_one_rule = Linter(config=stock_config("CP01"))
    ours = ProjectLinter()
    ours_no_grammar = ProjectLinter(grammar=False)

    sources = {f: Path(f).read_text(encoding="utf-8") for f in files}

    def stock(linter):
        # lint_string: the stock config above, not the repository's .sqlfluff files.
        return lambda: [linter.lint_string(sql, fname=f) for f, sql in sources.items()]

    report = ours.lint(files)
    if ours.grammar_unavailable:
        print(ours.grammar_unavailable, file=sys.stderr)
        return 1
    (t_core, c_core), (t_one, c_one), (t_ours, c_ours), (t_no_grammar, c_no_grammar) = best_of(
        stock(stock_core), stock(stock_one_rule), lambda: ours.lint(files), lambda: ours_no_grammar.lint(files),
        repeat=repeat,
    )
    print(f"\n{label}: {len(files)} files; our renderings: {report.renderings}")
    print("                                                   wall       CPU")
    print(f"stock sqlfluff, core rules, one rendering:      {t_core:7.2f} s {c_core:7.2f} s")
    print(f"stock sqlfluff, one rule (parse-bound floor):   {t_one:7.2f} s {c_one:7.2f} s")
    print(f"safeguard lint, rules + grammar, every branch:  {t_ours:7.2f} s {c_ours:7.2f} s")
    print(f"safeguard lint, rules only (--no-grammar):      {t_no_grammar:7.2f} s {c_no_grammar:7.2f} s")
    print(f"ratio to stock (core rules):        wall {t_ours / t_core:.2f}x   CPU {c_ours / c_core:.2f}x")
    print(f"ratio to stock (parse-bound floor): wall {t_ours / t_one:.2f}x   CPU {c_ours / c_one:.2f}x")
    return 0


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["dbt"])
    parser.add_argument("--small-files", type=int, default=SMALL_FILES, help="how many one-statement files")
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    os.chdir(REPO)
    from dbt_safeguard.lint.project_linter import sql_files

    files = sql_files(args.paths)
    if not files:
        print(f"no .sql files under {' '.join(args.paths)}", file=sys.stderr)
        return 1
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpus, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    status = measure(files, f"project {' '.join(args.paths)}", args.repeat)
    if status or args.small_files <= 0:
        return status
    with tempfile.TemporaryDirectory(prefix="bench_lint_") as folder:
        return measure(small_files(Path(folder), args.small_files), "one statement per file", args.repeat)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
