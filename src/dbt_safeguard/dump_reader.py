"""Splits a SQL dump into statements, streaming, with the byte offset of each.

The reader follows the rules of the `mysql`/`mariadb` client: statements end
at the current delimiter outside quotes and comments, `DELIMITER xx` is a
client command, `-- `, `#` and `/* */` are comments, and `/*!40101 ... */`
(or `/*M!100100 ... */`) is executable SQL that the server interprets. It
works on bytes, so binary column data and any character set pass through
unchanged, and it holds at most one statement plus one read chunk in memory.

Each statement is classified (INSERT into which table, CREATE TABLE, view,
trigger, routine, session SET, ...) so the loader can route it.
"""
from __future__ import annotations

import dataclasses
import re
from typing import BinaryIO, Iterator, Optional

from .errors import FatalError

CHUNK_SIZE = 1 << 20

# The newest clients write `/*M!999999\- enable the sandbox mode */` as the
# first line: a client command, not SQL, and a comment to every server.
_LEADING_JUNK = re.compile(
    rb"""(?:
        [ \t\r\n\f]+
      | --(?:[\x00-\x09\x0b-\x20][^\n]*)?(?:\n|\Z)
      | \#[^\n]*(?:\n|\Z)
      | /\*(?!!|M!)[^*]*\*+(?:[^*/][^*]*\*+)*/
      | /\*M!999999[^*]*\*+(?:[^*/][^*]*\*+)*/
    )*""",
    re.X,
)
_DELIMITER_COMMAND = re.compile(rb"delimiter[ \t]+(\S+)[^\n]*(?:\n|$)", re.I)
_QUOTES = b"'\"`"


def _body_pattern(delimiter: bytes) -> "re.Pattern[bytes]":
    """Consumes SQL text up to the delimiter, a comment or an unfinished quote.

    A megabyte-long extended INSERT is scanned in C; the Python loop only sees
    the few interesting spots. Quoted strings use the "unrolled loop" form
    (`'[^'\\]*(?:\\.[^'\\]*)*'`), which matches each character one way
    only, so an unterminated string fails in linear time. (Possessive
    quantifiers would say it shorter but need Python 3.11; Glue runs 3.9.)
    Nothing follows the outer repetition, so it never backtracks.
    """
    first = re.escape(delimiter[:1])
    guard = b"(?!" + re.escape(delimiter) + b")"
    return re.compile(
        rb"""(?:
            [^'"`\-\#/""" + first + rb"""]+
          | '[^'\\]*(?:(?:\\.|'')[^'\\]*)*'
          | "[^"\\]*(?:(?:\\.|"")[^"\\]*)*"
          | `[^`]*(?:``[^`]*)*`
          | """ + guard + rb"""-(?!-[\x00-\x20])
          | """ + guard + rb"""/(?!\*(?!!|M!))
          | """ + guard + first + rb"""
        )*""",
        re.X | re.S,
    )


@dataclasses.dataclass
class Statement:
    index: int  # 1-based position in the dump
    offset: int  # byte offset of its first byte in the (decompressed) dump
    text: bytes
    kind: str
    name: Optional[str] = None  # table, view, trigger, routine or database
    schema: Optional[str] = None  # when the dump qualifies the name: `db`.`name`

    def describe(self) -> str:
        what = self.kind.replace("_", " ").upper()
        target = f" `{self.name}`" if self.name else ""
        return f"statement {self.index} ({what}{target}) at byte {self.offset}"


class DumpError(FatalError):
    pass


_IDENT = rb"(`(?:[^`]|``)+`|[A-Za-z0-9_$\x80-\xff]+)"
_QUALIFIED = _IDENT + rb"(?:\s*\.\s*" + _IDENT + rb")?"
_DEFINER = rb"(?:DEFINER\s*=\s*\S+\s+)?"
_CLASSIFIERS = [
    ("insert", re.compile(rb"(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\s+)*(?:INTO\s+)?" + _QUALIFIED, re.I)),
    ("create_table", re.compile(rb"CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("drop_table", re.compile(rb"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("alter_table", re.compile(rb"ALTER\s+TABLE\s+" + _QUALIFIED, re.I)),
    ("lock", re.compile(rb"(?:UN)?LOCK\s+TABLES?\b", re.I)),
    ("use", re.compile(rb"USE\s+" + _IDENT, re.I)),
    ("create_database", re.compile(rb"CREATE\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _IDENT, re.I)),
    ("drop_database", re.compile(rb"DROP\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+EXISTS\s+)?" + _IDENT, re.I)),
    ("view", re.compile(
        rb"CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?" + _DEFINER
        + rb"(?:SQL\s+SECURITY\s+\w+\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("drop_view", re.compile(rb"DROP\s+VIEW\s+(?:IF\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("trigger", re.compile(rb"(?:CREATE\s+(?:OR\s+REPLACE\s+)?" + _DEFINER + rb"|DROP\s+)TRIGGER\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("routine", re.compile(
        rb"(?:CREATE\s+(?:OR\s+REPLACE\s+)?" + _DEFINER + rb"|DROP\s+)(?:AGGREGATE\s+)?(?:PROCEDURE|FUNCTION|EVENT|PACKAGE(?:\s+BODY)?)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?" + _QUALIFIED,
        re.I)),
    # mysqldump of a GTID server writes SET @@GLOBAL.GTID_PURGED and
    # SET @@SESSION.SQL_LOG_BIN=0: server-wide state, and SUPER-only.
    ("server_state", re.compile(rb"SET\s+(?:@@GLOBAL\.|GLOBAL\s|@@(?:SESSION\.)?SQL_LOG_BIN\b|SQL_LOG_BIN\b)", re.I)),
    ("session", re.compile(rb"SET\b", re.I)),
    ("transaction", re.compile(rb"(?:COMMIT|ROLLBACK|BEGIN|START\s+TRANSACTION)\b", re.I)),
]
_VERSION_MARKER = re.compile(rb"/\*M?!\d*|\*/")
_DEFINER_CLAUSE = re.compile(rb"DEFINER\s*=\s*(?:`(?:[^`]|``)*`|'[^']*'|[\w.%-]+)\s*@\s*(?:`(?:[^`]|``)*`|'[^']*'|[\w.%-]+)\s*", re.I)


def _unquote(ident: bytes) -> str:
    if ident.startswith(b"`"):
        ident = ident[1:-1].replace(b"``", b"`")
    return ident.decode("utf-8", "replace")


def classify(text: bytes):
    """(kind, name, schema) of a statement; kind "other" when unrecognised."""
    text = text[_LEADING_JUNK.match(text[:4096]).end():]
    head = _VERSION_MARKER.sub(b" ", text[:1024]).lstrip()
    for kind, pattern in _CLASSIFIERS:
        match = pattern.match(head)
        if match is None:
            continue
        if kind in ("lock", "server_state", "session", "transaction"):
            return kind, None, None
        groups = [g for g in match.groups() if g is not None]
        if len(groups) == 2:
            return kind, _unquote(groups[1]), _unquote(groups[0])
        return kind, _unquote(groups[0]), None
    return "other", None, None


def unqualify(text: bytes, schema: str) -> bytes:
    """Removes `schema`. in front of names, e.g. in a trigger's original text."""
    quoted = b"`" + schema.encode().replace(b"`", b"``") + b"`"
    return re.sub(re.escape(quoted) + rb"\s*\.\s*(?=`)", b"", text)


_REMOVED_SQL_MODE = re.compile(rb",?\bNO_AUTO_CREATE_USER\b,?", re.I)


def for_mysql8(statement: "Statement") -> "Statement":
    """MySQL 8 removed the sql_mode NO_AUTO_CREATE_USER, which dumps of MySQL
    5.7 and MariaDB set around triggers and routines: drop it from SETs."""
    if statement.kind == "session" and b"NO_AUTO_CREATE_USER" in statement.text.upper():
        statement.text = _REMOVED_SQL_MODE.sub(
            lambda m: b"," if m.group(0).startswith(b",") and m.group(0).endswith(b",") else b"", statement.text
        )
    return statement


def strip_definer(text: bytes) -> bytes:
    """Drops `DEFINER=user@host` from the head of a view, trigger or routine.

    Creating an object for another user needs SUPER/SET_USER_ID, which the
    loader's user rarely has (never on Aurora); the object then belongs to it.
    """
    head, tail = text[:1024], text[1024:]
    return _DEFINER_CLAUSE.sub(b"", head, count=1) + tail


class DumpReader:
    """`for statement in DumpReader(stream): ...`; `.offset` is bytes consumed."""

    def __init__(self, stream: BinaryIO, name: str = "dump", chunk_size: int = CHUNK_SIZE):
        self.stream = stream
        self.name = name
        self.chunk_size = chunk_size
        self.offset = 0
        self.delimiter = b";"
        self.header = b""
        self._tail = b""
        self.statements = 0
        self.bytes_read = 0

    @property
    def producer(self) -> Optional[str]:
        """"mysqldump" or "mariadb-dump" when the header says so."""
        if b"-- MariaDB dump" in self.header:
            return "mariadb-dump"
        if b"-- MySQL dump" in self.header:
            return "mysqldump"
        return None

    @property
    def database(self) -> Optional[str]:
        """The dumped database, from the `-- Host: ...  Database: name` header line."""
        match = re.search(rb"^-- Host: .*Database: (\S+)", self.header, re.M)
        return match.group(1).decode("utf-8", "replace") if match else None

    @property
    def completed(self) -> bool:
        """mysqldump and mariadb-dump end with `-- Dump completed`."""
        return b"-- Dump completed" in self._tail

    def _read(self, size: int) -> bytes:
        try:
            data = self.stream.read(size)
        except (EOFError, OSError) as exc:
            # gzip raises EOFError for a truncated stream, BadGzipFile (an OSError) for garbage.
            raise DumpError(
                f"{self.name}: cannot read past byte {self.bytes_read}: {exc}; "
                "the dump is truncated or corrupt"
            ) from None
        self.bytes_read += len(data)
        if len(self.header) < 512:
            self.header += data[: 512 - len(self.header)]
        if data:
            self._tail = (self._tail + data)[-256:]
        return data

    def _chunks(self) -> Iterator[bytes]:
        """Read chunks cut after their last newline.

        A statement's tokens never span a newline except inside quotes and
        comments, so every look-ahead the pattern needs is inside the buffer.
        """
        carry = b""
        size = self.chunk_size
        while True:
            data = self._read(max(size, len(carry)))
            if not data:
                if carry:
                    yield carry
                return
            data = carry + data if carry else data
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut]

    def __iter__(self) -> Iterator[Statement]:
        buf = b""
        base = 0  # absolute offset of buf[0]
        start = 0  # start of the current statement in buf
        pos = 0  # scan position in buf
        eof = False
        fresh = True  # at a statement boundary: skip comments, look for DELIMITER
        body = _body_pattern(self.delimiter)
        chunks = self._chunks()

        while True:
            need_more = False
            if fresh:
                start = pos = _LEADING_JUNK.match(buf, start).end()
                command = _DELIMITER_COMMAND.match(buf, start)
                if pos >= len(buf):
                    need_more = True
                elif command is not None:
                    self.delimiter = command.group(1)
                    body = _body_pattern(self.delimiter)
                    start = pos = command.end()
                    continue
                else:
                    fresh = False
            if not need_more:
                pos = body.match(buf, pos).end()
                if pos >= len(buf):
                    need_more = True
                elif buf.startswith(self.delimiter, pos):
                    text = buf[start:pos].rstrip()
                    offset = base + start
                    pos += len(self.delimiter)
                    start = pos
                    fresh = True
                    self.offset = base + pos
                    self.statements += 1
                    kind, name, schema = classify(text)
                    yield Statement(self.statements, offset, text, kind, name, schema)
                    continue
                else:
                    char = buf[pos:pos + 1]
                    if char in (b"-", b"#"):
                        newline = buf.find(b"\n", pos)
                        if newline < 0:
                            need_more = True
                        else:
                            pos = newline + 1
                    elif char == b"/":
                        close = buf.find(b"*/", pos + 2)
                        if close < 0:
                            need_more = True
                        else:
                            pos = close + 2
                    else:  # an opening quote whose string continues in the next chunk
                        need_more = True
            if not need_more:
                continue
            if eof:
                self._raise_truncated(buf, base, start, pos)
                self.offset = base + len(buf)
                return
            # Keep only the unfinished statement, then read more: at least as
            # much again as it already has, so that a huge statement is
            # rescanned a few times, not once per chunk.
            buf, base, pos = buf[start:], base + start, pos - start
            start = 0
            parts, added = [buf], 0
            while added < max(len(buf), 1):
                chunk = next(chunks, None)
                if chunk is None:
                    eof = True
                    break
                parts.append(chunk)
                added += len(chunk)
            buf = b"".join(parts)

    def _raise_truncated(self, buf: bytes, base: int, start: int, pos: int) -> None:
        rest = buf[start:]
        if _LEADING_JUNK.match(rest).end() == len(rest):
            return
        kind, name, _ = classify(rest[:4096])
        what = Statement(self.statements + 1, base + start, b"", kind, name).describe()
        unfinished = ""
        if buf[pos:pos + 1] in (b"'", b'"', b"`"):
            unfinished = f"; a {buf[pos:pos + 1].decode()}-quoted string opened at byte {base + pos} never closes"
        elif buf[pos:pos + 2] == b"/*":
            unfinished = f"; a comment opened at byte {base + pos} never closes"
        raise DumpError(f"{self.name}: the dump ends inside {what}{unfinished}: it is truncated")
