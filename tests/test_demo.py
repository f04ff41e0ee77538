"""The README's demo command: `scripts/demo.sh` runs the nightly job end to
end on a server it starts itself; with --keep it leaves that server and a
project pointing at it, and the commands it prints work there."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pymysql

from safeguard_testing.harness import REPO_ROOT

BIN = Path(sys.executable).parent
SIZE = "60"  # tenants: the story is the same, the demo quicker


def run_demo(*args: str) -> str:
    # Without SAFEGUARD_DB_HOST the demo starts its own throwaway server.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEGUARD_DB_")}
    done = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "demo.py"), "--size", SIZE, *args],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def started_port(output: str) -> int:
    return int(re.search(r"Started a throwaway MariaDB on 127\.0\.0\.1:(\d+)", output).group(1))


def server_answers(port: int) -> bool:
    try:
        pymysql.connect(host="127.0.0.1", port=port, user="root", connect_timeout=2).close()
        return True
    except pymysql.err.OperationalError:
        return False


def test_demo_without_keep_leaves_no_server_and_no_project():
    before = set((REPO_ROOT / ".demo").glob("run-*")) if (REPO_ROOT / ".demo").exists() else set()
    output = run_demo()
    assert "restore" in output
    # Night 3: preflight stops the broken model before dbt writes anything.
    assert re.search(r"etl failed, as it must: preflight: \S+tenant_status_history .*1064", output), output
    # Night 4: the emptied tenants export is refused publication; yesterday's tables stay live.
    assert re.search(r"refused: silver\.int_contracts \(a build of 0 rows\) is kept for inspection as "
                     r"silver\.int_contracts_refused_\S+", output), output
    live = re.search(r"yesterday's tables are still live: (\d+) of (\d+) protected tables byte-identical", output)
    assert live and live.group(1) == live.group(2) and int(live.group(1)) >= 6, output
    assert not server_answers(started_port(output)), "the demo left its server running without --keep"
    assert set((REPO_ROOT / ".demo").glob("run-*")) == before, "the demo left a project behind"


def fresh_shell(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """`bash -c script` as a new terminal has it: no venv on PATH, no SAFEGUARD_* variables."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_demo_keep_leaves_a_server_where_the_printed_commands_work():
    output = run_demo("--keep")
    env_file, project = re.search(r"source (\S+); cd (\S+)", output).groups()
    stop_line = re.search(r"stop it: (.+)$", output, re.M).group(1)
    pid_file = Path(re.search(r"kill \$\(cat (\S+)\)", stop_line).group(1))
    workdir = Path(re.search(r"rm -rf (\S+)", stop_line).group(1))
    pid = int(pid_file.read_text().split()[0])
    try:
        # The printed block, as a user pastes it into a new shell.
        listed = fresh_shell(f"source {env_file}; cd {project}\nsafeguard backups", REPO_ROOT)
        assert listed.returncode == 0, listed.stderr
        assert re.search(r"backup\s+verified\s+silver\.tenant_status_history", listed.stdout), listed.stdout

        # A bare restore reports the demo's own restore and changes nothing;
        # the printed --ts line plans an older backup: one RENAME.
        again = fresh_shell(f"source {env_file}; cd {project}\n"
                            "safeguard restore silver.tenant_status_history --dry-run", REPO_ROOT)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "already restored" in again.stdout and "rename table" not in again.stdout
        older = re.search(r"^\s+(safeguard restore silver\.tenant_status_history --ts \d{8}_\d{6} --dry-run)", output, re.M)
        plan = fresh_shell(f"source {env_file}; cd {project}\n{older.group(1)}", REPO_ROOT)
        assert plan.returncode == 0, plan.stdout + plan.stderr
        assert "rename table" in plan.stdout

        # The demo's last act restored deleted history rows: the kept server holds them.
        env = dict(re.findall(r"(SAFEGUARD_DB_\w+)=(\S+)", (REPO_ROOT / env_file).read_text()))
        conn = pymysql.connect(host=env["SAFEGUARD_DB_HOST"], port=int(env["SAFEGUARD_DB_PORT"]),
                               user=env["SAFEGUARD_DB_USER"])
        with conn.cursor() as cur:
            cur.execute("SELECT row_count FROM analytics.safeguard_backups"
                        " WHERE source_table = 'tenant_status_history' AND status = 'restored'"
                        " ORDER BY updated_at DESC LIMIT 1")
            (restored_rows,) = cur.fetchone()
            cur.execute("SELECT COUNT(*) FROM silver.tenant_status_history")
            (live_rows,) = cur.fetchone()
        conn.close()
        assert live_rows == restored_rows > 0

        # The stop line works from where the block left the user: in the project.
        stopped = fresh_shell(stop_line, REPO_ROOT / project)
        assert stopped.returncode == 0, stopped.stderr
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.2)
        assert not Path(f"/proc/{pid}").exists() and not workdir.exists()
    finally:
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGTERM)
        shutil.rmtree(workdir, ignore_errors=True)
