"""Dump files of the reference OLTP database, made once per session."""
from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from safeguard_testing import oltp_dump


DATA_SIZE = 60


@pytest.fixture(scope="session")
def day_dumps(server, tmp_path_factory) -> Dict[int, Path]:
    """Real mariadb-dump files of the OLTP database for days 1 and 2."""
    folder = tmp_path_factory.mktemp("dumps")
    dumps = {}
    for day in (1, 2):
        path = folder / f"oltp_day{day}.sql"
        oltp_dump.write_dump(day, path, server, size=DATA_SIZE)
        dumps[day] = path
    return dumps
