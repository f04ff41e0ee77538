"""The fault suite's own mariadbd: one it may SIGKILL and restart on the same
datadir (crash recovery), in a size-limited datadir when the machine allows it
(a full disk on demand).

The session's shared server is never killed: other test modules use it.
"""
from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

from dbt_safeguard.connection import ConnectionSettings
from safeguard_testing.local_server import LocalServer, _die_with_parent

# A tmpfs this size holds mariadbd's 96 MiB redo log, its system tables and
# the reference warehouse many times over; the full-disk cases fill it up.
DATADIR_LIMIT_MB = 640
BALLAST_FILE = "ballast.bin"


class MountRefused(RuntimeError):
    """mount(2) is not permitted here (not root, or no CAP_SYS_ADMIN)."""


class SizeLimitedDir:
    """A tmpfs of `size_mb` mounted on a fresh directory: `mount -t tmpfs -o size=…`.

    A full disk is then `fill(leave_mb)`: a ballast file that takes all but
    `leave_mb` of the free space, and `unfill()` gives the space back.
    """

    def __init__(self, size_mb: int = DATADIR_LIMIT_MB, parent: Optional[str] = None):
        self.size_mb = size_mb
        self.path = Path(tempfile.mkdtemp(prefix="safeguard-faults-disk-", dir=parent))
        self.mounted = False

    def mount(self) -> "SizeLimitedDir":
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size_mb}m,mode=0700", "tmpfs", str(self.path)],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise MountRefused(
                f"cannot mount a {self.size_mb} MiB tmpfs on {self.path}: {done.stderr.strip() or done.returncode}; "
                "the full-disk cases need root (or CAP_SYS_ADMIN) to make a size-limited datadir"
            )
        self.mounted = True
        return self

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def fill(self, leave_mb: float) -> int:
        """Take all but `leave_mb` MiB of the free space; returns the ballast size."""
        ballast = self.path / BALLAST_FILE
        target = max(0, self.free_bytes() - int(leave_mb * 1024 * 1024))
        chunk = b"\0" * (1024 * 1024)
        written = 0
        try:
            with open(ballast, "ab") as out:
                while written + len(chunk) <= target:
                    out.write(chunk)
                    written += len(chunk)
                out.write(b"\0" * (target - written))
        except OSError as exc:
            # mariadbd wrote meanwhile and the disk filled first: that is the point.
            if exc.errno != errno.ENOSPC:
                raise
        return target

    def unfill(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.path / BALLAST_FILE).unlink()

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)
            self.mounted = False
        with contextlib.suppress(OSError):
            self.path.rmdir()


class CrashableServer(LocalServer):
    """A LocalServer that can be SIGKILLed and restarted on its own datadir.

    Its temporary files go to a private directory (mariadbd reads TMPDIR):
    in a shared /tmp, another job's clean-up removed the server's
    `#sql-temptable-*.MAI` files mid-statement ("Error on delete of
    '/tmp/#sql-temptable-….MAI' (Errcode: 2)", and a signal 11 in
    ha_maria::drop_table)."""

    def start(self) -> ConnectionSettings:
        self.tmpdir = Path(tempfile.mkdtemp(prefix="safeguard-faults-tmp-", dir=self.base_dir))
        saved = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = str(self.tmpdir)
        try:
            return super().start()
        finally:
            if saved is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = saved

    def kill(self) -> None:
        """SIGKILL mariadbd: no shutdown, InnoDB recovers on the next start."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def restart(self) -> float:
        """Start mariadbd again with the same command line and datadir; returns
        how long crash recovery took until it accepted connections."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("restart() needs a stopped server; call kill() first")
        started = time.monotonic()
        self.process = subprocess.Popen(
            self.process.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
            env={**os.environ, "TMPDIR": str(self.tmpdir)},
        )
        self._wait_until_ready()
        return time.monotonic() - started

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def error_log_tail(self, chars: int = 3000) -> str:
        return (self.root / "error.log").read_text(errors="replace")[-chars:]

    @property
    def root_settings(self) -> ConnectionSettings:
        return self.settings
