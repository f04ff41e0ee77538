"""moto's standalone S3 server over HTTP, for the tests and the loader benchmark.

boto3 reaches it through AWS_ENDPOINT_URL_S3 (see `MotoServer.env`)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict


class MotoServer:
    """`MotoServer(log_path)` starts it on a free port; `.endpoint`, `.env`; `.stop()`."""

    def __init__(self, log_path: Path, startup_timeout: float = 30):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        binary = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
        if binary is None:
            raise RuntimeError("moto_server is not installed: pip install 'moto[server]'")
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=self.log,
                                        stderr=self.log)
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)

    @property
    def env(self) -> Dict[str, str]:
        """What boto3 reads to use this server, with moto's fake credentials."""
        return {"AWS_ENDPOINT_URL_S3": self.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
