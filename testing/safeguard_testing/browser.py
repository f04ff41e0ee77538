"""A page as a person sees it: headless Chromium (Debian's `chromium`) renders it to a PNG.

What the page did is read from Chromium's own records, no driver needed:
- its console (`--enable-logging=stderr` prints each console message, and
  an uncaught error or a resource that failed to load, as a CONSOLE line);
- its network requests (`--log-net-log` writes every URL request; the page's
  own are those whose network isolation key is the page's file:// site,
  which tells them from the browser's background calls).
"""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List

# The flags this machine's probe uses for Chromium as root with no network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
CONSOLE = re.compile(r":CONSOLE[^\]]*\] (.*)$", re.M)


@dataclasses.dataclass
class PageReport:
    console: List[str]  # every console message, uncaught error and failed load
    requests: List[str]  # every URL the page itself asked for, other than file:// ones
    screenshot: Path


def chromium() -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        raise RuntimeError("headless Chromium is needed: apt-get install chromium (scripts/bootstrap.sh does it)")
    return binary


def render(page: Path, screenshot: Path, width: int = 1100, height: int = 1400) -> PageReport:
    with tempfile.TemporaryDirectory() as scratch:
        net_log = Path(scratch) / "net.json"
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={scratch}/profile", "--enable-logging=stderr", "--v=0",
             f"--log-net-log={net_log}", f"--window-size={width},{height}", f"--screenshot={screenshot}",
             page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120,
        )
        if not screenshot.is_file():
            raise RuntimeError(f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-2000:]}")
        return PageReport(CONSOLE.findall(done.stderr), page_requests(net_log), screenshot)


def page_requests(net_log: Path) -> List[str]:
    log = json.loads(net_log.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for entry in log["events"]:
        params = entry.get("params") or {}
        if entry["type"] == start and str(params.get("network_isolation_key", "")).startswith("file://"):
            if not params.get("url", "").startswith("file:"):
                urls.append(params["url"])
    return urls
