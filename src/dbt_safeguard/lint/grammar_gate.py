"""MySQL's own grammar as the lint's syntax gate.

sqlfluff's mysql dialect is an approximation of MySQL; MySQL Workbench's ANTLR
grammar (npm ``ts-mysql-parser``) is MySQL's own, with the server version as
a predicate. The grammar runs in one long-lived Node helper process
(``grammar/gate.js``) per lint run, spoken to in JSON lines, so a run pays for
Node's start once, not per statement.

    with GrammarGate("8.0.28") as gate:
        error = gate.check("SELECT NULL::date")  # GateError(line=1, column=12, ...)

Without Node or the helper's node_modules, :class:`GrammarGate` raises
:class:`GrammarGateUnavailable` with one line saying what is not checked;
``safeguard lint --install-grammar`` (or ``scripts/bootstrap.sh``) installs it.
"""
from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from ..errors import FatalError
from .mysql_versions import DEFAULT_TARGET_VERSION, format_version, parse_version

GRAMMAR_DIR = Path(__file__).resolve().parent / "grammar"
GRAMMAR_PACKAGE = "ts-mysql-parser"
# Node's start, loading the generated parser and its warm-up parse: about
# 2 s here; the bound is for a machine under load, not an expected time.
READY_TIMEOUT_S = 30.0
# A statement takes milliseconds; full-LL prediction on a pathological one may
# take seconds. Past this the helper is stuck and the lint stops.
CHECK_TIMEOUT_S = 60.0
NODE_ENV = "SAFEGUARD_NODE"
# Written by grammar/build_snapshot.js: the helper's heap after loading and
# warming up the parser, and which node binary it belongs to.
SNAPSHOT_BLOB = ".gate-snapshot.blob"
SNAPSHOT_INFO = ".gate-snapshot.json"
# The helper's own files, as bundled into the snapshot: after an edit of one
# of them the snapshot holds old code and is not used (build_snapshot.js SOURCES).
SNAPSHOT_SOURCES = ("gate.js", "rewrite.js", "warm_up.sql")
NOT_CHECKED = "SQL is not checked against MySQL's grammar (sqlfluff's parser only)"


class GrammarGateUnavailable(FatalError):
    """Node or the helper's packages are missing: the grammar cannot check anything."""


class GrammarGateError(FatalError):
    """The helper process failed or stopped answering."""


@dataclass(frozen=True)
class GateError:
    """Where MySQL's grammar rejects a statement: 1-based line and column in
    the checked text, the code-point offset, and the grammar's message."""

    line: int
    column: int
    offset: int
    message: str


def node_binary() -> Optional[str]:
    return os.environ.get(NODE_ENV) or shutil.which("node")


def install_grammar() -> int:
    """`npm ci` in the helper's folder (the exact versions of
    package-lock.json; offline when npm's cache has them), then the helper's
    startup snapshot."""
    npm = shutil.which("npm")
    if npm is None:
        raise GrammarGateUnavailable("safeguard lint --install-grammar: npm is not on PATH; install Node.js (with npm) first")
    command = [npm, "ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"]
    status = subprocess.call(command, cwd=GRAMMAR_DIR)
    if status == 0:
        # Optional: without the snapshot each lint run warms the parser up itself.
        node = node_binary()
        if node and subprocess.call([node, "build_snapshot.js"], cwd=GRAMMAR_DIR) != 0:
            print("safeguard lint --install-grammar: no startup snapshot; the grammar runs without it", file=sys.stderr)
    return status


class GrammarGate:
    """A context manager owning one Node helper; check() parses one text (one
    or more statements) at a MySQL version."""

    def __init__(
        self,
        version: str = DEFAULT_TARGET_VERSION,
        node: Optional[str] = None,
        grammar_dir: Path = GRAMMAR_DIR,
        ready_timeout: float = READY_TIMEOUT_S,
        check_timeout: float = CHECK_TIMEOUT_S,
        use_snapshot: bool = True,
    ):
        self.version = format_version(parse_version(version))
        self.ready_timeout = ready_timeout
        self.check_timeout = check_timeout
        self.use_snapshot = use_snapshot
        self.node = node if node is not None else node_binary()
        self.grammar_dir = Path(grammar_dir)
        self.grammar = ""  # "ts-mysql-parser 0.2.0" once started
        self._proc: Optional[subprocess.Popen] = None
        self._buffer = b""
        self._ready = False
        self._sent = 0  # requests written
        self._received = 0  # replies read
        self._replies: Dict[int, dict] = {}

    def __enter__(self) -> "GrammarGate":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self._proc is not None:
            return
        if not self.node or not (os.path.isfile(self.node) or shutil.which(self.node)):
            raise GrammarGateUnavailable(
                f"safeguard lint: node not found ({self.node or 'not on PATH'}): {NOT_CHECKED}; install Node.js, "
                "then run `safeguard lint --install-grammar`"
            )
        if not (self.grammar_dir / "node_modules" / GRAMMAR_PACKAGE / "package.json").is_file():
            raise GrammarGateUnavailable(
                f"safeguard lint: {GRAMMAR_PACKAGE} is not installed in {self.grammar_dir}: {NOT_CHECKED}; "
                "run `safeguard lint --install-grammar`"
            )
        self._proc = subprocess.Popen(
            self.command(),
            cwd=self.grammar_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # Writes never block (see _send).
        os.set_blocking(self._proc.stdin.fileno(), False)
        # The helper loads and warms up while the lint renders its first file:
        # its ready line is read at the first check.
        self._ready = False

    def _wait_ready(self) -> None:
        ready = self._read_reply(self.ready_timeout, "start")
        if not ready.get("ready"):
            self.close()
            raise GrammarGateUnavailable(f"safeguard lint: the grammar helper cannot load ({ready.get('error')}): {NOT_CHECKED}")
        self.grammar = ready.get("grammar", GRAMMAR_PACKAGE)
        self._ready = True

    def command(self) -> List[str]:
        """node with the warmed-up startup snapshot (build_snapshot.js) when
        it was built by this node binary, else node gate.js."""
        blob = self.grammar_dir / "node_modules" / SNAPSHOT_BLOB
        info_path = self.grammar_dir / "node_modules" / SNAPSHOT_INFO
        if self.use_snapshot and blob.is_file() and info_path.is_file():
            node = os.path.realpath(shutil.which(self.node) or self.node)
            info = json.loads(info_path.read_text())
            stat = os.stat(node)
            same_node = (info.get("node"), info.get("size"), int(info.get("mtime", -1))) == (node, stat.st_size, int(stat.st_mtime * 1000))
            if same_node and info.get("sources") == self.sources_digest():
                return [self.node, f"--snapshot-blob={blob}"]
        return [self.node, str(self.grammar_dir / "gate.js")]

    def sources_digest(self) -> str:
        digest = hashlib.sha1()
        for name in SNAPSHOT_SOURCES:
            digest.update((self.grammar_dir / name).read_bytes())
        return digest.hexdigest()

    def check(self, sql: str, version: Optional[str] = None) -> Optional[GateError]:
        """None when the grammar accepts every statement in sql at version
        (default: the gate's), else where and why it stops."""
        return self.result(self.submit(sql, version))

    def submit(self, sql: str, version: Optional[str] = None) -> int:
        """Send sql to the helper without waiting: it parses while the caller
        goes on (sqlfluff's own lint of the same rendering). Returns the
        ticket for result(); results come back in the order sent."""
        if self._proc is None:
            raise GrammarGateError("safeguard lint: the grammar gate is not started; use it as a context manager")
        target = format_version(parse_version(version)) if version else self.version
        request = json.dumps({"sql": sql, "version": target}) + "\n"
        try:
            self._send(request.encode("ascii"))
        except BrokenPipeError:
            if not self._ready:
                self._wait_ready()  # a helper that could not load says why, then exits
            raise GrammarGateError(f"safeguard lint: the grammar helper exited: {self._stderr()}") from None
        self._sent += 1
        return self._sent

    def _send(self, data: bytes) -> None:
        """Write data to the helper, reading its replies meanwhile. A caller
        may submit a whole project before reading a verdict: the helper blocks
        on a full stdout pipe (Node writes pipes synchronously on Linux) and
        then stops reading stdin, so a plain blocking write could wait forever."""
        in_fd, out_fd = self._proc.stdin.fileno(), self._proc.stdout.fileno()
        view = memoryview(data)
        deadline = time.monotonic() + self.check_timeout
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                self._proc.kill()
                raise GrammarGateError(f"safeguard lint: the grammar helper read no input within {self.check_timeout:.0f} s")
            readable, writable, _ = select.select([out_fd], [in_fd], [], left)
            if readable:
                chunk = os.read(out_fd, 65536)
                if not chunk:
                    raise BrokenPipeError
                self._buffer += chunk
            if writable:
                try:
                    view = view[os.write(in_fd, view):]
                except BlockingIOError:
                    continue

    def result(self, ticket: int) -> Optional[GateError]:
        """The verdict on the sql of submit()'s ticket."""
        if not self._ready:
            self._wait_ready()
        while self._received < ticket:
            self._replies[self._received + 1] = self._read_reply(self.check_timeout, "check")
            self._received += 1
        reply = self._replies.pop(ticket)
        if reply.get("internal"):
            raise GrammarGateError(f"safeguard lint: the grammar helper failed: {reply.get('message')}")
        if reply.get("ok"):
            return None
        return GateError(line=reply["line"], column=reply["column"], offset=reply["offset"], message=reply["message"])

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin:
            proc.stdin.close()  # the helper exits when its stdin closes
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    def _read_reply(self, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self._proc.kill()
                raise GrammarGateError(f"safeguard lint: the grammar helper gave no answer within {timeout:.0f} s ({what})")
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise GrammarGateError(f"safeguard lint: the grammar helper exited during {what}: {self._stderr()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _stderr(self) -> str:
        try:
            self._proc.wait(timeout=5)
            lines: List[str] = self._proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
        except (subprocess.TimeoutExpired, OSError, ValueError):
            return "no message"
        return lines[-1] if lines else f"exit code {self._proc.returncode}"
