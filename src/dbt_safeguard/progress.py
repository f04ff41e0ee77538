"""A one-line progress bar on a TTY: bytes, rate, ETA and the current table."""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional, TextIO


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


_active: Optional["ProgressBar"] = None


def clear_line() -> str:
    """What a log line must start with to overwrite a progress bar on screen."""
    if _active is not None and _active.enabled and _active.width:
        return "\r" + " " * _active.width + "\r"
    return ""


class ProgressBar:
    """Call with (decompressed offset, current table); shows raw bytes against the raw size."""

    def __init__(self, total: Optional[int], position: Callable[[], int], stream: Optional[TextIO] = None):
        self.total = total
        self.position = position
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.enabled = self.stream.isatty()
        self.width = 0

    def __call__(self, offset: int, table: Optional[str]) -> None:
        if not self.enabled:
            return
        done = self.position()
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        parts = [f"loading {_mb(done)}"]
        if self.total:
            fraction = min(done / self.total, 1.0)
            bar = "#" * int(fraction * 20)
            parts = [f"[{bar:<20}] {fraction:4.0%}", f"{_mb(done)}/{_mb(self.total)}"]
            if rate > 0:
                eta = max(self.total - done, 0) / rate
                parts.append(f"ETA {int(eta) // 60}:{int(eta) % 60:02d}")
        parts.append(f"{rate / 1e6:.1f} MB/s")
        if table:
            parts.append(table)
        line = "  ".join(parts)
        global _active
        _active = self
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()

    def finish(self) -> None:
        global _active
        if _active is self:
            _active = None
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
