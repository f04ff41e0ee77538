"""Variants of a real day dump: a big extra table (so that the load lasts
long enough to be interrupted), and hostile inputs."""
from __future__ import annotations

import gzip
from pathlib import Path
from typing import Iterable

FIRST_TABLE = b"--\n-- Table structure for table"


def read_text(path: Path) -> bytes:
    with open(path, "rb") as raw:
        magic = raw.read(2)
    return gzip.open(path).read() if magic == b"\x1f\x8b" else path.read_bytes()


def write(path: Path, data: bytes, compress: bool = True) -> Path:
    if compress:
        with gzip.GzipFile(filename="", mode="wb", fileobj=open(path, "wb"), mtime=0) as out:
            out.write(data)
    else:
        path.write_bytes(data)
    return path


def insert_before_first_table(dump: bytes, statements: bytes) -> bytes:
    at = dump.index(FIRST_TABLE)
    return dump[:at] + statements + b"\n" + dump[at:]


def ballast_table(rows: int = 150_000, per_statement: int = 2_000, name: str = "zz_ballast") -> bytes:
    """A table of `rows` rows in multi-row INSERTs, as mariadb-dump writes them."""
    parts = [f"DROP TABLE IF EXISTS `{name}`;\n".encode(),
             f"CREATE TABLE `{name}` (\n  `id` int(11) NOT NULL,\n  `pad` varchar(200) NOT NULL,\n"
             f"  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n".encode()]
    for start in range(0, rows, per_statement):
        values = ",".join(f"({i},'{'x' * 120}')" for i in range(start, min(rows, start + per_statement)))
        parts.append(f"INSERT INTO `{name}` VALUES {values};\n".encode())
    return b"".join(parts)


def with_ballast(source: Path, target: Path, rows: int = 150_000) -> Path:
    return write(target, insert_before_first_table(read_text(source), ballast_table(rows)))


def with_statements(source: Path, target: Path, statements: Iterable[str]) -> Path:
    extra = "".join(s.rstrip().rstrip(";") + ";\n" for s in statements).encode()
    return write(target, insert_before_first_table(read_text(source), extra))


def truncated(source: Path, target: Path, fraction: float = 0.6) -> Path:
    data = read_text(source)
    return write(target, data[: int(len(data) * fraction)])


def gzip_corrupt(source: Path, target: Path) -> Path:
    """A gzip stream with bytes flipped in the middle: the CRC or the inflate fails."""
    write(target, read_text(source))
    raw = bytearray(target.read_bytes())
    middle = len(raw) // 2
    for i in range(middle, min(len(raw) - 8, middle + 64)):
        raw[i] ^= 0x5A
    target.write_bytes(bytes(raw))
    return target


def wrong_encoding(source: Path, target: Path) -> Path:
    """The dump's text re-encoded as UTF-16: not an SQL dump a server can read."""
    return write(target, read_text(source).decode("utf-8").encode("utf-16"))


def latin1_strings(source: Path, target: Path) -> Path:
    """Says utf8mb4, carries bytes that are not UTF-8: in every 3-byte
    Japanese character starting E3 81, the 81 becomes 28, which cannot follow
    E3 (a continuation byte is 80-BF). (E9 81 .. would still be valid UTF-8:
    another character, which no loader can tell from data.)"""
    return write(target, read_text(source).replace(b"\xe3\x81", b"\xe3\x28"))


def huge_row(source: Path, target: Path, megabytes: int = 24) -> Path:
    """One row whose value is `megabytes` MiB: one statement larger than any buffer."""
    table = (b"DROP TABLE IF EXISTS `zz_huge`;\n"
             b"CREATE TABLE `zz_huge` (`id` int NOT NULL, `body` longtext NOT NULL, PRIMARY KEY (`id`))"
             b" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
             b"INSERT INTO `zz_huge` VALUES (1,'" + b"ab\\'c" * (megabytes * 1024 * 1024 // 5) + b"');\n")
    return write(target, insert_before_first_table(read_text(source), table))
