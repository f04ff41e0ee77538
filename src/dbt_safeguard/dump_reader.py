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
import zlib
from typing import BinaryIO, Iterator, List, Optional, Tuple

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
_TRAILER = b"-- Dump completed"


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


def _literal_pattern(delimiter: bytes) -> "re.Pattern[bytes]":
    """Like _body_pattern, for the VALUES of an INSERT, but stops at any name.

    mysqldump's VALUES hold literals only: numbers, strings, NULL, 0x..,
    _binary. Outside strings a name (a function, a subquery's table, another
    schema) can only start with a letter, `_`, `$`, a backquote or a
    non-ASCII byte, so stopping at one tells the loader, in the same pass
    that finds the statement's end, that the statement needs its names
    checked.
    """
    first = re.escape(delimiter[:1])
    guard = b"(?!" + re.escape(delimiter) + b")"
    return re.compile(
        rb"""(?:
            [^'"`\-\#/A-Za-z_$\x80-\xff""" + first + rb"""]+
          | '[^'\\]*(?:(?:\\.|'')[^'\\]*)*'
          | "[^"\\]*(?:(?:\\.|"")[^"\\]*)*"
          | (?:NULL|TRUE|FALSE|DEFAULT)\b
          | _[A-Za-z0-9]+\b
          | (?<=0)[xX][0-9A-Fa-f]+\b
          | [xXbB]'[0-9A-Fa-f]*'
          | (?<=[0-9.])[eE](?=[+\-]?[0-9])
          | """ + guard + rb"""-(?!-[\x00-\x20])
          | """ + guard + rb"""/(?!\*(?!!|M!))
          | """ + guard + first + rb"""
        )*""",
        re.X | re.S | re.I,
    )


# A backtick-quoted identifier (a doubled backtick stands for one), as a
# regex fragment: the loader's patterns build on it.
QUOTED_NAME = rb"`(?:[^`]|``)+`"
_ASCII_NAME = rb"(?:" + QUOTED_NAME + rb"|[A-Za-z0-9_$]+)"

# An INSERT's head, up to its VALUES: names appear only here in a literal INSERT.
INSERT_HEAD = re.compile(
    rb"(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\s+)*(?:INTO\s+)?"
    + _ASCII_NAME + rb"(?:\s*\.\s*" + _ASCII_NAME + rb")?\s*"
    rb"(?:\((?:\s*" + _ASCII_NAME + rb"\s*,?)*\)\s*)?VALUES?",
    re.I,
)
_NAME_START = re.compile(rb"[A-Za-z_$\x80-\xff`]")


@dataclasses.dataclass
class Statement:
    index: int  # 1-based position in the dump
    offset: int  # byte offset of its first byte in the (decompressed) dump
    text: bytes
    kind: str
    name: Optional[str] = None  # table, view, trigger, routine or database
    schema: Optional[str] = None  # when the dump qualifies the name: `db`.`name`
    # Every other name it carries: the rest of a multi-table DROP, a trigger's table.
    others: Tuple[Tuple[Optional[str], str], ...] = ()
    on_table: Optional[Tuple[Optional[str], str]] = None
    literal: bool = False  # an INSERT whose VALUES hold literals only (no name outside strings)

    def describe(self) -> str:
        what = self.kind.replace("_", " ").upper()
        target = f" `{self.name}`" if self.name else ""
        return f"statement {self.index} ({what}{target}) at byte {self.offset}"


class DumpError(FatalError):
    pass


def snippet(text: bytes, length: int = 60) -> str:
    """The start of a statement for a message: one line, at most `length` characters."""
    line = b" ".join(text[:length * 4].split())
    shown = line[:length].decode("utf-8", "replace")
    return repr(shown + ("..." if len(line) > length else ""))


_UNQUOTED = rb"[A-Za-z0-9_$\x80-\xff]+"
_NAME = rb"(?:" + QUOTED_NAME + rb"|" + _UNQUOTED + rb")"
_IDENT = rb"(" + QUOTED_NAME + rb"|" + _UNQUOTED + rb")"
_QUALIFIED = _IDENT + rb"(?:\s*\.\s*" + _IDENT + rb")?"
_QUALIFIED_NOGROUP = _NAME + rb"(?:\s*\.\s*" + _NAME + rb")?"
_NAME_LIST = _QUALIFIED + rb"((?:\s*,\s*" + _QUALIFIED_NOGROUP + rb")*)"
_DEFINER = rb"(?:DEFINER\s*=\s*\S+\s+)?"
_CREATE = rb"CREATE\s+(?:OR\s+REPLACE\s+)?" + _DEFINER
# The closed list of statement kinds a dump may hold (the loader refuses
# "other"). Order matters: the first pattern that matches the head wins.
_CLASSIFIERS = [
    ("insert", re.compile(rb"(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\s+)*(?:INTO\s+)?" + _QUALIFIED, re.I)),
    ("create_table", re.compile(rb"CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("drop_table", re.compile(rb"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?" + _NAME_LIST, re.I)),
    ("alter_table", re.compile(rb"ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+" + _QUALIFIED, re.I)),
    # CREATE INDEX i ON t / DROP INDEX i ON t (hand-written scripts): DDL of table t.
    ("index", re.compile(rb"(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?|DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?)"
                         + _IDENT + rb"\s+(?:USING\s+\w+\s+)?ON\s+" + _QUALIFIED, re.I)),
    ("lock", re.compile(rb"(?:UN)?LOCK\s+TABLES?\b", re.I)),
    ("use", re.compile(rb"USE\s+" + _IDENT, re.I)),
    ("create_database", re.compile(rb"CREATE\s+(?:OR\s+REPLACE\s+)?(?:DATABASE|SCHEMA)\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _IDENT, re.I)),
    ("drop_database", re.compile(rb"DROP\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+EXISTS\s+)?" + _IDENT, re.I)),
    ("view", re.compile(
        rb"(?:CREATE\s+(?:OR\s+REPLACE\s+)?|ALTER\s+)(?:ALGORITHM\s*=\s*\w+\s+)?" + _DEFINER
        + rb"(?:SQL\s+SECURITY\s+\w+\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("drop_view", re.compile(rb"DROP\s+VIEW\s+(?:IF\s+EXISTS\s+)?" + _NAME_LIST, re.I)),
    ("trigger", re.compile(_CREATE + rb"TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _QUALIFIED
                           + rb"\s+(?:BEFORE|AFTER)\s+(?:INSERT|UPDATE|DELETE)\s+ON\s+" + _QUALIFIED, re.I)),
    ("drop_trigger", re.compile(rb"DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("routine", re.compile(_CREATE + rb"(?:AGGREGATE\s+)?(?:PROCEDURE|FUNCTION|PACKAGE(?:\s+BODY)?)\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("drop_routine", re.compile(rb"DROP\s+(?:PROCEDURE|FUNCTION|PACKAGE(?:\s+BODY)?)\s+(?:IF\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("event", re.compile(_CREATE + rb"EVENT\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    ("drop_event", re.compile(rb"DROP\s+EVENT\s+(?:IF\s+EXISTS\s+)?" + _QUALIFIED, re.I)),
    # mysqldump of a GTID server writes SET @@GLOBAL.GTID_PURGED and
    # SET @@SESSION.SQL_LOG_BIN=0: server-wide state, and SUPER-only.
    ("server_state", re.compile(rb"SET\s+(?:@@GLOBAL\.|GLOBAL\s|@@PERSIST|PERSIST|@@(?:SESSION\.)?SQL_LOG_BIN\b|SQL_LOG_BIN\b)", re.I)),
    # `--master-data=1` / `--source-data=1` write the binlog coordinates as a
    # live statement: replication setup of the server, not the database's data.
    ("replication", re.compile(rb"CHANGE\s+(?:MASTER|REPLICATION\s+SOURCE)\s+TO\b", re.I)),
    # Accounts and roles are not part of a database's dump.
    ("other", re.compile(rb"SET\s+(?:PASSWORD|ROLE|DEFAULT\s+ROLE)\b", re.I)),
    ("session", re.compile(rb"SET\b", re.I)),
    ("transaction", re.compile(rb"(?:(?:COMMIT|ROLLBACK|BEGIN)(?:\s+WORK)?|START\s+TRANSACTION(?:\s+[\w, ]+)?)\s*\Z", re.I)),
    # A result set has no place in a load (world.sql ends with sample queries).
    ("query", re.compile(rb"(?:SELECT|SHOW)\b", re.I)),
]
_SET_STATEMENT = re.compile(rb"SET\s+STATEMENT\s", re.I)
_VERSION_MARKER = re.compile(rb"/\*M?!\d*|\*/")
_DEFINER_CLAUSE = re.compile(rb"DEFINER\s*=\s*(?:`(?:[^`]|``)*`|'[^']*'|[\w.%-]+)\s*@\s*(?:`(?:[^`]|``)*`|'[^']*'|[\w.%-]+)\s*", re.I)
_NAME_IN_LIST = re.compile(_QUALIFIED)


def _unquote(ident: bytes) -> str:
    if ident.startswith(b"`"):
        ident = ident[1:-1].replace(b"``", b"`")
    return ident.decode("utf-8", "replace")


def _qualified(schema: Optional[bytes], name: Optional[bytes]) -> Tuple[Optional[str], str]:
    """(schema or None, name) from the two groups of _QUALIFIED."""
    if name is None:
        return None, _unquote(schema)
    return _unquote(schema), _unquote(name)


class Classification(tuple):
    """(kind, name, schema), plus every other name the statement carries:
    `others` (the rest of a multi-table DROP) and `on_table` (a trigger's table)."""

    def __new__(cls, kind, name=None, schema=None, others=(), on_table=None):
        self = super().__new__(cls, (kind, name, schema))
        self.others = tuple(others)
        self.on_table = on_table
        return self

    kind = property(lambda self: self[0])


def _head(text: bytes) -> bytes:
    text = text[_LEADING_JUNK.match(text[:4096]).end():]
    return _VERSION_MARKER.sub(b" ", text[:1024]).lstrip()


def _set_statement_body(head: bytes) -> Optional[int]:
    """Where the statement after `SET STATEMENT var=value, ... FOR` starts, or None."""
    if not _SET_STATEMENT.match(head):
        return None
    for match in re.finditer(rb"'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'|\"[^\"\\]*(?:(?:\\.|\"\")[^\"\\]*)*\"|\bFOR\b", head, re.I):
        if match.group(0).upper() == b"FOR":
            return match.end()
    return None


def classify(text: bytes) -> Classification:
    """(kind, name, schema) of a statement; kind "other" when it is not one a dump holds."""
    head = _head(text)
    inner = _set_statement_body(head)
    if inner is not None:
        # MariaDB's SET STATEMENT ... FOR <statement>: the statement is what runs.
        return classify(head[inner:].lstrip())
    for kind, pattern in _CLASSIFIERS:
        match = pattern.match(head)
        if match is None:
            continue
        if kind in ("lock", "server_state", "replication", "session", "transaction", "query", "other"):
            if kind == "transaction" and len(head) >= 1000:
                continue
            return Classification(kind)
        groups = match.groups()
        if kind == "trigger":
            schema, name = _qualified(*groups[:2])
            return Classification(kind, name, schema, on_table=_qualified(*groups[2:4]))
        if kind == "index":
            schema, name = _qualified(*groups[1:3])
            return Classification(kind, name, schema)
        if kind in ("use", "create_database", "drop_database"):
            return Classification(kind, _unquote(groups[0]))
        schema, name = _qualified(*groups[:2])
        others = ()
        if kind in ("drop_table", "drop_view") and groups[2]:
            others = tuple(_qualified(*m.groups()) for m in _NAME_IN_LIST.finditer(groups[2]))
        return Classification(kind, name, schema, others)
    return Classification("other")


# Tokens of SQL text for finding qualified names: strings and comments are
# skipped; a name followed by `.` and another name is a qualifier (a schema,
# or a table in `t.column`). `/*!...*/` is SQL the server runs, so only its
# markers are skipped.
_NAME_SCAN = re.compile(
    rb"""'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'
      | "[^"\\]*(?:(?:\\.|"")[^"\\]*)*"
      | --[\x00-\x20][^\n]*
      | \#[^\n]*
      | /\*(?!!|M!)[^*]*\*+(?:[^*/][^*]*\*+)*/
      | /\*M?!\d*
      | (?P<qualifier>`(?:[^`]|``)+`|[A-Za-z0-9_$\x80-\xff]+)(?P<dot>\s*\.\s*)(?=`|[A-Za-z_$\x80-\xff])
      | (?P<quoted>`(?:[^`]|``)+`)
      | (?P<word>[A-Za-z0-9_$\x80-\xff]+)
    """,
    re.X,
)


def qualifiers(text: bytes) -> List[str]:
    """Every name written as a qualifier (`x` in `x.y`) outside strings and comments."""
    return [_unquote(m.group("qualifier")) for m in _NAME_SCAN.finditer(text) if m.group("qualifier")]


def words(text: bytes) -> List[bytes]:
    """The unquoted words of `text` outside strings, comments and qualified names, upper-cased."""
    return [m.group("word").upper() for m in _NAME_SCAN.finditer(text) if m.group("word")]


def references(text: bytes) -> List[Tuple[Optional[str], str]]:
    """The (schema, table) after each REFERENCES keyword: the parents of a table's foreign keys."""
    found, tokens = [], _NAME_SCAN.finditer(text)
    for match in tokens:
        if (match.group("word") or b"").upper() != b"REFERENCES":
            continue
        name = next(tokens, None)
        if name is None:
            break
        if name.group("qualifier"):
            table = next(tokens, None)
            if table is not None and (table.group("quoted") or table.group("word")):
                found.append((_unquote(name.group("qualifier")), _unquote(table.group(0))))
        elif name.group("quoted") or name.group("word"):
            found.append((None, _unquote(name.group(0))))
    return found


def unqualify(text: bytes, schema: str) -> bytes:
    """Removes `schema.` in front of names (quoted or not), outside strings and comments."""
    parts, last = [], 0
    for match in _NAME_SCAN.finditer(text):
        qualifier = match.group("qualifier")
        if qualifier is not None and _unquote(qualifier) == schema:
            parts.append(text[last:match.start()])
            last = match.end()
    if not parts:
        return text
    parts.append(text[last:])
    return b"".join(parts)


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
        self.trailer_at: Optional[int] = None  # byte offset of the `-- Dump completed` line
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
        """mysqldump and mariadb-dump end with `-- Dump completed`: seen between statements."""
        return self.trailer_at is not None

    def _read(self, size: int) -> bytes:
        try:
            data = self.stream.read(size)
        except (EOFError, OSError, zlib.error) as exc:
            # gzip raises EOFError for a truncated stream, BadGzipFile (an OSError)
            # for a bad header, and zlib.error for corrupt compressed data.
            raise DumpError(
                f"{self.name}: cannot read past byte {self.bytes_read}: {exc}; "
                "the dump is truncated or corrupt"
            ) from None
        self.bytes_read += len(data)
        if len(self.header) < 512:
            self.header += data[: 512 - len(self.header)]
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
        literal_values = _literal_pattern(self.delimiter)
        scan, literal = body, False  # the pattern for the current statement
        head_bytes, last_head, last_class = b"", None, None  # the last literal INSERT's head and class
        chunks = self._chunks()

        while True:
            need_more = False
            if fresh:
                junk_end = _LEADING_JUNK.match(buf, start).end()
                if self.trailer_at is None:
                    # Anywhere between statements: the official world.sql has
                    # queries after it. Chunks end at a newline, so a comment
                    # line is never split between two reads.
                    found = buf.find(_TRAILER, start, junk_end)
                    if found >= 0:
                        self.trailer_at = base + found
                start = pos = junk_end
                command = _DELIMITER_COMMAND.match(buf, start)
                if pos >= len(buf):
                    need_more = True
                elif command is not None:
                    self.delimiter = command.group(1)
                    body = _body_pattern(self.delimiter)
                    literal_values = _literal_pattern(self.delimiter)
                    start = pos = command.end()
                    continue
                else:
                    fresh = False
                    head = INSERT_HEAD.match(buf, start)
                    if head is not None:
                        scan, literal, pos = literal_values, True, head.end()
                        head_bytes = buf[start:pos]
                    else:
                        scan, literal = body, False
            if not need_more:
                pos = scan.match(buf, pos).end()
                if literal and _NAME_START.match(buf, pos):
                    scan, literal = body, False  # a name in VALUES: scan on as any statement
                    continue
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
                    if literal and head_bytes == last_head:
                        # One INSERT per row (--skip-extended-insert): the
                        # same head as the last statement, the same class.
                        found = last_class
                    else:
                        found = classify(text)
                        if literal and found.kind == "insert":
                            last_head, last_class = head_bytes, found
                    yield Statement(self.statements, offset, text, found.kind, found[1], found[2],
                                    found.others, found.on_table, literal and found.kind == "insert")
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
        if self.statements == 0 and self.producer is None and kind == "other":
            raise DumpError(
                f"{self.name}: not an SQL dump: no statement ends in its {base + len(buf)} bytes "
                f"(it starts with {snippet(rest)})"
            )
        what = Statement(self.statements + 1, base + start, b"", kind, name).describe()
        unfinished = ""
        if buf[pos:pos + 1] in (b"'", b'"', b"`"):
            unfinished = f"; a {buf[pos:pos + 1].decode()}-quoted string opened at byte {base + pos} never closes"
        elif buf[pos:pos + 2] == b"/*":
            unfinished = f"; a comment opened at byte {base + pos} never closes"
        raise DumpError(f"{self.name}: the dump ends inside {what}{unfinished}: it is truncated")
