"""Ctrl-C (a real SIGINT) gives one line and exit 130 in every command, never a traceback.

Each command runs as its own process and is interrupted once it is inside
its work (a line of its output, or its grammar helper started), so the
signal lands where a user's Ctrl-C would.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List

import pytest

from safeguard_testing import oltp_dump
from safeguard_testing.harness import copy_reference_project, default_sigint

pytestmark = pytest.mark.slow
SAFEGUARD = str(Path(sys.executable).parent / "safeguard")


def interrupt_when(command: List[str], ready: Callable[[subprocess.Popen, List[str]], bool], cwd: Path,
                   env: dict, timeout: float = 240) -> subprocess.CompletedProcess:
    """Starts `command`, sends SIGINT once `ready(process, lines so far)`, returns what it printed."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               preexec_fn=default_sigint,
                               text=True, bufsize=1)
    lines: List[str] = []
    deadline = time.monotonic() + timeout
    os.set_blocking(process.stdout.fileno(), False)
    while not ready(process, lines):
        assert process.poll() is None, "it ended before it could be interrupted:\n" + "".join(lines)
        assert time.monotonic() < deadline, "never ready:\n" + "".join(lines)
        chunk = process.stdout.readline()
        if chunk:
            lines.append(chunk)
        else:
            time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    os.set_blocking(process.stdout.fileno(), True)
    rest, _ = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, "".join(lines) + rest, "")


def assert_one_interrupted_line(done: subprocess.CompletedProcess, expected: str) -> None:
    assert done.returncode == 130, done.stdout
    assert "Traceback" not in done.stdout, done.stdout
    errors = [line for line in done.stdout.splitlines() if "ERROR" in line and "interrupted" in line]
    assert len(errors) == 1 and expected in errors[0], done.stdout


def has_child(process: subprocess.Popen, _lines: List[str]) -> bool:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return children.exists() and bool(children.read_text().split())


def dbt_started(process: subprocess.Popen, _lines: List[str]) -> bool:
    """dbt opens logs/dbt.log when an invocation starts, before it parses the project."""
    try:
        return any(os.readlink(fd).endswith("dbt.log") for fd in Path(f"/proc/{process.pid}/fd").iterdir())
    except OSError:  # a descriptor closed while we looked
        return False


def printed(text: str) -> Callable[[subprocess.Popen, List[str]], bool]:
    return lambda _process, lines: any(text in line for line in lines)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_reference_project(tmp_path_factory.mktemp("interrupt"))


@pytest.fixture
def env(server):
    return {**os.environ, **server.as_env(), "SAFEGUARD_SCHEMA_PREFIX": "interrupt_"}


def test_ctrl_c_in_lint_is_one_line_and_exit_130(project, env):
    # The grammar helper (a node child process) starts once the lint is linting.
    done = interrupt_when([SAFEGUARD, "lint", "--require-grammar"], has_child, project, env)
    assert_one_interrupted_line(done, "nothing was changed")


def test_ctrl_c_in_restore_is_one_line_exit_130_and_changes_nothing(project, env, sql):
    sql.execute("CREATE DATABASE IF NOT EXISTS interrupt_silver")
    sql.execute("CREATE TABLE IF NOT EXISTS interrupt_silver.kept (id INT PRIMARY KEY)")
    sql.execute("INSERT IGNORE INTO interrupt_silver.kept VALUES (1), (2)")
    before = sql.checksum("interrupt_silver", "kept")
    done = interrupt_when([SAFEGUARD, "restore", "interrupt_silver.kept"], dbt_started, project, env)
    assert_one_interrupted_line(done, "shows whether the RENAME happened")
    assert sql.checksum("interrupt_silver", "kept") == before


def test_ctrl_c_in_etl_is_one_line_and_exit_130(project, env, server, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    oltp_dump.write_dump(1, inbox / "day1.sql", server, size=60)
    command = [SAFEGUARD, "etl", "--dump-uri", str(inbox), "--project-dir", str(project),
               "--schema-prefix", "interrupt_", "--no-metrics", "--no-progress"]
    done = interrupt_when(command, printed("START    seed"), tmp_path, env)
    assert_one_interrupted_line(done, "interrupted")
    assert (inbox / "day1.sql").exists(), "an interrupted night must not archive its dump"
    shutil.rmtree(project / "target", ignore_errors=True)
