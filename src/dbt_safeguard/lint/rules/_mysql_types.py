"""CAST target types: what MySQL 8.0 accepts and what to write instead."""
from __future__ import annotations

from typing import Optional

from ..mysql_versions import (
    CAST_TO_FLOATING_POINT,
    CAST_TO_SPATIAL,
    CAST_TO_YEAR,
    Version,
)

# MySQL 8.0 CAST()/CONVERT() targets, with the release that added each.
CAST_TARGETS = {
    "BINARY": (8, 0, 0),
    "CHAR": (8, 0, 0),
    "NCHAR": (8, 0, 0),
    "DATE": (8, 0, 0),
    "DATETIME": (8, 0, 0),
    "TIME": (8, 0, 0),
    "DECIMAL": (8, 0, 0),
    "JSON": (8, 0, 0),
    "SIGNED": (8, 0, 0),
    "UNSIGNED": (8, 0, 0),
    "DOUBLE": CAST_TO_FLOATING_POINT,
    "FLOAT": CAST_TO_FLOATING_POINT,
    "REAL": CAST_TO_FLOATING_POINT,
    "YEAR": CAST_TO_YEAR,
    "POINT": CAST_TO_SPATIAL,
    "LINESTRING": CAST_TO_SPATIAL,
    "POLYGON": CAST_TO_SPATIAL,
    "MULTIPOINT": CAST_TO_SPATIAL,
    "MULTILINESTRING": CAST_TO_SPATIAL,
    "MULTIPOLYGON": CAST_TO_SPATIAL,
    "GEOMETRYCOLLECTION": CAST_TO_SPATIAL,
}

# Other dialects' type names -> the MySQL CAST target with the same meaning.
REPLACEMENTS = {
    "INT": "SIGNED",
    "INTEGER": "SIGNED",
    "INT4": "SIGNED",
    "INT8": "SIGNED",
    "BIGINT": "SIGNED",
    "SMALLINT": "SIGNED",
    "TINYINT": "SIGNED",
    "MEDIUMINT": "SIGNED",
    "TEXT": "CHAR",
    "VARCHAR": "CHAR",
    "STRING": "CHAR",
    "CHARACTER": "CHAR",
    "NVARCHAR": "NCHAR",
    "NUMERIC": "DECIMAL",
    "NUMBER": "DECIMAL",
    "DEC": "DECIMAL",
    "TIMESTAMP": "DATETIME",
    "TIMESTAMPTZ": "DATETIME",
    "JSONB": "JSON",
    "FLOAT8": "DOUBLE",
    "FLOAT4": "FLOAT",
    "BYTEA": "BINARY",
    "VARBINARY": "BINARY",
}


def type_name(raw: str) -> str:
    """'varchar(10)' -> 'VARCHAR', 'signed integer' -> 'SIGNED'."""
    return raw.strip().split("(")[0].split()[0].strip("`\"").upper() if raw.strip() else ""


def is_cast_target(name: str, version: Version) -> bool:
    since = CAST_TARGETS.get(name)
    return since is not None and version >= since


def replacement(name: str, version: Version) -> Optional[str]:
    """The MySQL CAST target to use instead of name, if there is a safe one."""
    target = REPLACEMENTS.get(name)
    if target is None and name in CAST_TARGETS:
        target = name
    if target in ("DOUBLE", "FLOAT") and version < CAST_TO_FLOATING_POINT:
        return None
    return target
