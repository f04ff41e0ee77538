"""The fault suite's laboratory: its own crashable mariadbd in a size-limited
datadir, the day dumps, fresh warehouses, and the oracle of what an
uninterrupted pipeline makes of each sequence of days."""
from __future__ import annotations

import dataclasses
import shutil
import uuid
from typing import Dict, List, Optional, Tuple

from dbt_safeguard.connection import ConnectionSettings
from dbt_safeguard.errors import FatalError
from faults.crashable_server import CrashableServer, MountRefused, SizeLimitedDir
from faults.pipeline import Dumps, Pipeline, State


class Lab:
    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.disk: Optional[SizeLimitedDir] = SizeLimitedDir(parent=str(tmp_path_factory.mktemp("disk")))
        self.mount_problem: Optional[str] = None
        try:
            self.disk.mount()
        except MountRefused as exc:
            # Everything but the full-disk cases still runs; those fail with this reason.
            self.mount_problem = str(exc)
            self.disk = None
        self.base = str(self.disk.path) if self.disk else str(tmp_path_factory.mktemp("datadir"))
        self.server = CrashableServer(base_dir=self.base)
        self.admin = self.server.start()
        self.dumps = Dumps(tmp_path_factory.mktemp("dumps"), self.admin)
        self.log_copy = tmp_path_factory.getbasetemp() / "fault-server-error.log"
        self._oracles: Dict[str, "_Oracle"] = {}
        # Crash recoveries mariadbd itself could not complete: each is a finding
        # (its error log is kept), and the lab goes on with a fresh server.
        self.lost_datadirs: List[str] = []

    def close(self) -> None:
        for oracle in self._oracles.values():
            oracle.pipeline.close()
        # The datadir goes with the tmpfs: keep the server's log for the post-mortem.
        if self.server.root is not None and (self.server.root / "error.log").exists():
            shutil.copy(self.server.root / "error.log", self.log_copy)
        self.server.stop()
        if self.disk is not None:
            self.disk.unfill()
            self.disk.unmount()

    def settings(self, adapter: str) -> ConnectionSettings:
        return dataclasses.replace(self.admin, adapter_type=adapter)

    def pipeline(self, adapter: str, settings: Optional[ConnectionSettings] = None) -> Pipeline:
        self.ensure_up()
        root = self.tmp_path_factory.mktemp(f"wh_{adapter}")
        return Pipeline(root, settings or self.settings(adapter), self.settings(adapter), self.dumps)

    def ensure_up(self) -> None:
        if self.server.running:
            return
        try:
            self.server.restart()
        except FatalError as exc:
            self._replace_lost_server(exc)

    def restart_after_crash(self) -> None:
        """The crash fault's restart: a datadir mariadbd cannot recover is
        recorded, the lab moves to a fresh server, and the case fails."""
        try:
            self.server.restart()
        except FatalError as exc:
            self._replace_lost_server(exc)
            raise

    def _replace_lost_server(self, exc: FatalError) -> None:
        kept = self.log_copy.with_name(f"lost-datadir-{len(self.lost_datadirs) + 1}-error.log")
        if self.server.root is not None and (self.server.root / "error.log").exists():
            shutil.copy(self.server.root / "error.log", kept)
        lines = [line for line in str(exc).splitlines() if "[ERROR]" in line]
        self.lost_datadirs.append(f"mariadbd could not recover its datadir after the crash: "
                                  f"{' / '.join(lines[:3]) or str(exc)[:300]} (log: {kept})")
        for oracle in self._oracles.values():
            oracle.pipeline.close()
        self._oracles = {}
        self.server.stop()
        self.server = CrashableServer(base_dir=self.base)
        self.admin = self.server.start()
        self.dumps.settings = self.admin

    def require_disk(self) -> SizeLimitedDir:
        assert self.disk is not None, self.mount_problem
        return self.disk

    def oracle(self, adapter: str, days: Tuple[int, ...]) -> Dict[str, Optional[State]]:
        """Protected tables' states after an uninterrupted night for each of `days`."""
        if adapter not in self._oracles:
            self._oracles[adapter] = _Oracle(self.pipeline(adapter))
        return self._oracles[adapter].states(days)


class _Oracle:
    """One warehouse that runs the days in order without faults."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self.done: Tuple[int, ...] = ()
        self.cache: Dict[Tuple[int, ...], Dict[str, Optional[State]]] = {}

    def states(self, days: Tuple[int, ...]) -> Dict[str, Optional[State]]:
        if days in self.cache:
            return self.cache[days]
        assert days[:len(self.done)] == self.done, f"the oracle ran {self.done}, cannot give {days}"
        # The lab's server may have been crashed and restarted by a case since
        # this oracle last ran: its connection is then gone.
        self.pipeline.reconnect()
        for day in days[len(self.done):]:
            night = self.pipeline.night(day)
            assert night.returncode == 0, f"oracle night {day}: {night.explain()}"
            self.done += (day,)
            self.cache[self.done] = self.pipeline.states()
            if len(self.done) == 2:
                # Every recovery reruns the interrupted night: the oracle relies
                # on a rerun of the same dump leaving the warehouse as it was.
                again = self.pipeline.night(day)
                assert again.returncode == 0, f"oracle rerun of night {day}: {again.explain()}"
                assert self.pipeline.states() == self.cache[self.done], "a rerun of the same dump changed the warehouse"
        return self.cache[days]


def new_token() -> str:
    return uuid.uuid4().hex[:6]
