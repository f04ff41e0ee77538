"""What people see: human log lines on a TTY, one JSON object per event for Glue.

Everything goes through `logging.getLogger("safeguard")`. Structured fields
ride on the record as `extra={"event": ..., ...}`; the text format shows the
message, the JSON format shows the message and every field. CloudWatch
Embedded Metric Format lines are printed on stdout, whatever the log format,
each as its own line: CloudWatch extracts metrics from a log event that is
exactly the EMF JSON object.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from typing import Dict, Mapping, Optional, TextIO

from .progress import clear_line

log = logging.getLogger("safeguard")

LOG_FORMATS = ("text", "json")
EMF_NAMESPACE = "DbtSafeguard"
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "event": getattr(record, "event", "log"),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in payload:
                payload[key] = value
        if record.exc_info:
            payload["traceback"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s [safeguard] %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        # A log line written while the progress bar is on screen replaces it;
        # the bar comes back on its next update.
        if getattr(record, "event", None) == "error":
            # The failure itself: one line, easy to find in a long log.
            return clear_line() + "safeguard: ERROR " + one_line(record.getMessage())
        return clear_line() + super().format(record)


def one_line(message: str) -> str:
    """A message that may carry dbt's multi-line text, on one line."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


class StandardStreamHandler(logging.StreamHandler):
    """Writes to whatever `sys.stdout` or `sys.stderr` is when a record is emitted.

    A handler that kept the stream object it was created with would write to
    a closed file once that stream is replaced (pytest's capture does it per
    test; so can an embedding program), printing "Logging error ... I/O
    operation on closed file" for every later record.
    """

    def __init__(self, name: str):
        self._stream_name = name
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return getattr(sys, self._stream_name)

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """StreamHandler.__init__ sets it; the stream is always looked up instead."""


def configure_logging(log_format: str = "text", stream: Optional[TextIO] = None, verbose: bool = False) -> None:
    """Idempotent: replaces the handler a previous call installed.

    Text goes to stderr. JSON goes to stdout, next to the EMF lines: a Glue
    job then has every event, one JSON object per line, in its output log
    group; stderr keeps only what is not an event (a bug's traceback).
    """
    handler: logging.Handler
    if stream is not None:
        handler = logging.StreamHandler(stream)
    else:
        handler = StandardStreamHandler("stdout" if log_format == "json" else "stderr")
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler._safeguard = True  # type: ignore[attr-defined]
    for old in [h for h in log.handlers if getattr(h, "_safeguard", False)]:
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False


def event(name: str, message: str, *args, level: int = logging.INFO, **fields) -> None:
    log.log(level, message, *args, extra={"event": name, **fields})


def emf_line(metrics: Mapping[str, float], units: Mapping[str, str], dimensions: Dict[str, str]) -> str:
    """One CloudWatch Embedded Metric Format object."""
    return json.dumps(
        {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": EMF_NAMESPACE,
                        "Dimensions": [sorted(dimensions)],
                        "Metrics": [{"Name": name, "Unit": units.get(name, "None")} for name in metrics],
                    }
                ],
            },
            **dimensions,
            **metrics,
        }
    )


def print_emf(line: str, stream: Optional[TextIO] = None) -> None:
    out = stream or sys.stdout
    out.write(line + "\n")
    out.flush()
