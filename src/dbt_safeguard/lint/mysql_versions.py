"""Which MySQL 8.0 version the SQL must run on, and what each version accepts.

The default target is 8.0.28: Aurora MySQL 3.04, the oldest Aurora MySQL 3
line AWS still supports (3.04 is a long-term-support release). SQL that passes
the lint at 8.0.28 runs on every supported Aurora MySQL 3. Set
``mysql_target_version`` under ``[sqlfluff:rules]`` in ``.sqlfluff`` to raise it.
"""
from __future__ import annotations

from typing import Tuple

DEFAULT_TARGET_VERSION = "8.0.28"

# Aurora MySQL 3 minor line -> the MySQL community version it is compatible with.
AURORA_MYSQL_3 = {
    "3.04": "8.0.28",
    "3.05": "8.0.32",
    "3.06": "8.0.34",
    "3.07": "8.0.36",
    "3.08": "8.0.39",
    "3.09": "8.0.40",
    "3.10": "8.0.42",
}

Version = Tuple[int, int, int]

# The release that first accepts a feature the rules check for.
LATERAL_DERIVED_TABLES: Version = (8, 0, 14)
CAST_TO_FLOATING_POINT: Version = (8, 0, 17)
CAST_TO_YEAR: Version = (8, 0, 22)
CAST_TO_SPATIAL: Version = (8, 0, 24)
INTERSECT_AND_EXCEPT: Version = (8, 0, 31)


def parse_version(value: object) -> Version:
    """'8.0.28' -> (8, 0, 28); also accepts an Aurora MySQL 3 version like '3.05'."""
    text = str(value).strip()
    aurora = ".".join(text.split(".")[:2])
    if text.startswith("3.") and aurora in AURORA_MYSQL_3:
        text = AURORA_MYSQL_3[aurora]
    parts = text.split(".")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise ValueError(
            f"mysql_target_version must look like 8.0.28 (or an Aurora MySQL 3 version like 3.05), not {value!r}"
        ) from None
    while len(numbers) < 3:
        numbers.append(0)
    return tuple(numbers[:3])  # type: ignore[return-value]


def format_version(version: Version) -> str:
    return ".".join(str(n) for n in version)
