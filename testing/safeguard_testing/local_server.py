"""A throwaway MariaDB server in a temporary datadir on a free port.

The tests and the demo start one of these unless the user points them at an
existing server; it is removed, data and all, when stopped.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator, Optional, Sequence

import pymysql

from dbt_safeguard.connection import ConnectionSettings
from dbt_safeguard.errors import FatalError

PR_SET_PDEATHSIG = 1  # linux/prctl.h
SERVER_BINARIES = ("mariadbd", "mysqld")
INSTALL_BINARIES = ("mariadb-install-db", "mysql_install_db")


def find_binary(names, package: str = "MariaDB") -> str:
    """The first of `names` installed (also in the sbin folders, where Debian puts mariadbd)."""
    search_path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin" + os.pathsep + "/usr/local/sbin"
    for name in names:
        found = shutil.which(name, path=search_path)
        if found:
            return found
    raise FatalError(f"none of {', '.join(names)} is installed; install {package}")


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM it when the process that started it
    dies, so a test run or demo killed with SIGKILL leaves no mariadbd behind."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the server is stopped by stop() only


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalServer:
    """`with LocalServer() as settings:` gives ConnectionSettings for a fresh server."""

    def __init__(self, adapter_type: str = "mysql", base_dir: Optional[str] = None, startup_timeout: float = 30.0,
                 die_with_parent: bool = True, server_options: Sequence[str] = ()):
        self.adapter_type = adapter_type
        # False: the server outlives this process (the demo's --keep); stop()
        # or `kill $(cat <root>/mysqld.pid)` ends it.
        self.die_with_parent = die_with_parent
        self.base_dir = base_dir
        self.startup_timeout = startup_timeout
        self.server_options = tuple(server_options)  # extra mariadbd options, e.g. --performance-schema=ON
        self.root: Optional[Path] = None
        self.process: Optional[subprocess.Popen] = None
        self.settings: Optional[ConnectionSettings] = None

    def start(self) -> ConnectionSettings:
        self.root = Path(tempfile.mkdtemp(prefix="safeguard-mariadb-", dir=self.base_dir))
        datadir = self.root / "data"
        install = subprocess.run(
            [
                find_binary(INSTALL_BINARIES),
                "--no-defaults",
                f"--datadir={datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
        )
        if install.returncode != 0:
            # Its last line is only "Aborting": the [ERROR] lines before it say why.
            errors = [line for line in install.stderr.splitlines() if "[ERROR]" in line] or install.stderr.splitlines()
            raise FatalError(f"mariadb-install-db failed: {' | '.join(errors[-5:])}")
        port = free_port()
        self.process = subprocess.Popen(
            [
                find_binary(SERVER_BINARIES),
                "--no-defaults",
                f"--datadir={datadir}",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                f"--socket={self.root / 'mysqld.sock'}",
                f"--pid-file={self.root / 'mysqld.pid'}",
                "--user=root",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=256M",
                "--innodb-flush-log-at-trx-commit=2",
                "--max-allowed-packet=256M",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci",
                f"--log-error={self.root / 'error.log'}",
                *self.server_options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if self.die_with_parent else None,
            # A server left running must not get the terminal's Ctrl-C either.
            start_new_session=not self.die_with_parent,
        )
        self.settings = ConnectionSettings(host="127.0.0.1", port=port, user="root", password="",
                                           adapter_type=self.adapter_type)
        self._wait_until_ready()
        return self.settings

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.root / "error.log").read_text(errors="replace")[-2000:]
                raise FatalError(f"mariadbd exited with {self.process.returncode}: {log}")
            try:
                self.settings.connect().close()
                return
            except pymysql.err.OperationalError:
                time.sleep(0.1)
        self.stop()
        raise FatalError(f"mariadbd did not accept connections within {self.startup_timeout:.0f}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
        self.process = None

    @property
    def pid_file(self) -> Optional[Path]:
        return None if self.root is None else self.root / "mysqld.pid"

    def __enter__(self) -> ConnectionSettings:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def session_server(base_dir: str) -> Iterator[ConnectionSettings]:
    """A pytest session's server: the one SAFEGUARD_TEST_DB_HOST names, else a
    throwaway one under base_dir, stopped when the generator closes."""
    from .harness import external_server_settings

    external = external_server_settings()
    if external is not None:
        yield external
        return
    local = LocalServer(base_dir=base_dir)
    try:
        yield local.start()
    finally:
        local.stop()
