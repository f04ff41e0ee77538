"""Where a dump comes from: a local file or S3, plain or gzip, read as a stream.

`s3://bucket/key.sql.gz` names one object; `s3://bucket/prefix/` (ending in a
slash, or any S3 URI that is not an object) means "the newest dump under it".
A local directory likewise means its newest dump. Gzip is recognised by its
magic bytes, not by the file name. S3 is reached with boto3's default
credential chain; `AWS_ENDPOINT_URL_S3` points it at another S3-compatible
server (the tests use moto's).
"""
from __future__ import annotations

import dataclasses
import gzip
import io
import logging
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator, Optional, Tuple

from .errors import FatalError

log = logging.getLogger("safeguard")

DUMP_SUFFIXES = (".sql", ".sql.gz")
GZIP_MAGIC = b"\x1f\x8b"


def is_s3(uri: str) -> bool:
    return uri.startswith("s3://")


def split_s3(uri: str) -> Tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    if not bucket:
        raise FatalError(f"{uri!r} is not an S3 URI: expected s3://bucket/key or s3://bucket/prefix/")
    return bucket, key


def s3_client():
    try:
        import boto3
    except ImportError:  # pragma: no cover - boto3 is in the s3 extra
        raise FatalError("reading from S3 needs boto3: pip install 'dbt-safeguard[s3]'") from None
    return boto3.client("s3")


def s3_errors() -> Tuple[type, ...]:
    """What boto3 raises for a refused or broken request: botocore's own error
    classes, and urllib3's for a stream that breaks while it is read."""
    from botocore.exceptions import BotoCoreError, ClientError
    from urllib3.exceptions import HTTPError
    return (BotoCoreError, ClientError, HTTPError)


def _is_dump(name: str) -> bool:
    return name.endswith(DUMP_SUFFIXES)


class _CountingReader(io.RawIOBase):
    """Counts the raw (possibly compressed) bytes read, for the progress bar."""

    def __init__(self, raw, stream_errors: Tuple[type, ...] = ()):
        self.raw = raw
        self.position = 0
        self.stream_errors = stream_errors  # an S3 body's errors are not OSErrors

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self.raw.read(len(buffer))
        except self.stream_errors as exc:
            raise OSError(f"the stream broke after {self.position} bytes: {exc}") from exc
        n = len(data)
        buffer[:n] = data
        self.position += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclasses.dataclass
class DumpSource:
    uri: str
    size: Optional[int]  # raw size in bytes when known (compressed size for gzip)

    @property
    def name(self) -> str:
        return self.uri.rstrip("/").rsplit("/", 1)[-1]

    def _open_raw(self):
        if is_s3(self.uri):
            bucket, key = split_s3(self.uri)
            try:
                return s3_client().get_object(Bucket=bucket, Key=key)["Body"]
            except s3_errors() as exc:
                raise FatalError(f"cannot read {self.uri}: {exc}") from None
        try:
            return open(self.uri, "rb")
        except OSError as exc:
            raise FatalError(f"cannot read dump {self.uri}: {exc.strerror}") from None

    def open(self) -> "OpenDump":
        counter = _CountingReader(self._open_raw(), s3_errors() if is_s3(self.uri) else ())
        buffered = io.BufferedReader(counter, buffer_size=1 << 20)
        stream: BinaryIO = buffered
        if buffered.peek(2)[:2] == GZIP_MAGIC:
            stream = gzip.GzipFile(fileobj=buffered, mode="rb")
        return OpenDump(self, stream, counter)


@dataclasses.dataclass
class OpenDump:
    source: DumpSource
    stream: BinaryIO
    counter: _CountingReader

    @property
    def raw_position(self) -> int:
        return self.counter.position

    def close(self) -> None:
        self.stream.close()
        self.counter.close()

    def __enter__(self) -> "OpenDump":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def resolve(uri: str, exclude: Optional[str] = None) -> DumpSource:
    """A dump file or object, or the newest dump under a directory or prefix.

    `exclude` is a prefix (e.g. the archive) that never counts as "newest".
    """
    if is_s3(uri):
        return _resolve_s3(uri, exclude)
    path = Path(uri)
    if path.is_dir():
        skipped = Path(exclude).resolve() if exclude and not is_s3(exclude) else None
        candidates = [
            p for p in path.rglob("*")
            if p.is_file() and _is_dump(p.name) and not (skipped and skipped in p.resolve().parents)
        ]
        if not candidates:
            raise FatalError(f"no dump (*.sql, *.sql.gz) under {uri}")
        newest = max(candidates, key=lambda p: (p.stat().st_mtime, p.name))
        return DumpSource(str(newest), newest.stat().st_size)
    if not path.is_file():
        raise FatalError(f"dump {uri} does not exist")
    return DumpSource(str(path), path.stat().st_size)


def _resolve_s3(uri: str, exclude: Optional[str]) -> DumpSource:
    bucket, key = split_s3(uri)
    client = s3_client()
    if key and not key.endswith("/"):
        try:
            head = client.head_object(Bucket=bucket, Key=key)
            return DumpSource(uri, head["ContentLength"])
        except s3_errors() as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code not in ("404", "NoSuchKey", "NotFound"):
                raise FatalError(f"cannot read {uri}: {exc}") from None
    exclude_key = split_s3(exclude)[1] if exclude and is_s3(exclude) else None
    newest = None
    for obj in _list_objects(client, bucket, key):
        if not _is_dump(obj["Key"]) or (exclude_key and obj["Key"].startswith(exclude_key)):
            continue
        if newest is None or (obj["LastModified"], obj["Key"]) > (newest["LastModified"], newest["Key"]):
            newest = obj
    if newest is None:
        raise FatalError(f"no dump (*.sql, *.sql.gz) under {uri}")
    return DumpSource(f"s3://{bucket}/{newest['Key']}", newest["Size"])


def _list_objects(client, bucket: str, prefix: str) -> Iterator[dict]:
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            yield from page.get("Contents", [])
    except s3_errors() as exc:
        raise FatalError(f"cannot list s3://{bucket}/{prefix}: {exc}") from None


def default_archive(uri: str) -> str:
    """`<folder>/archive/` for a dump file or object, `<uri>/archive/` for a folder or prefix.

    `resolve` skips this prefix, so an archived dump is never "the newest" again.
    """
    if is_s3(uri):
        names_prefix = uri.endswith("/") or not split_s3(uri)[1] or not _is_dump(uri)
    else:
        names_prefix = Path(uri).is_dir()
    base = uri.rstrip("/") if names_prefix else uri.rstrip("/").rsplit("/", 1)[0]
    return base + "/archive/"


def archive(source: DumpSource, destination: str) -> str:
    """Moves the processed dump into `destination` (a folder or prefix); returns its new URI."""
    target = destination.rstrip("/") + "/" + source.name
    if is_s3(source.uri) != is_s3(destination):
        raise FatalError(f"cannot archive {source.uri} to {destination}: both must be local or both S3")
    if is_s3(source.uri):
        client = s3_client()
        src_bucket, src_key = split_s3(source.uri)
        dst_bucket, dst_key = split_s3(target)
        try:
            client.copy({"Bucket": src_bucket, "Key": src_key}, dst_bucket, dst_key)
            client.delete_object(Bucket=src_bucket, Key=src_key)
        except s3_errors() as exc:
            raise FatalError(f"cannot archive {source.uri} to {target}: {exc}") from None
    else:
        Path(destination).mkdir(parents=True, exist_ok=True)
        shutil.move(source.uri, target)
    log.info("ARCHIVE  %s -> %s", source.uri, target, extra={"event": "archive", "to": target})
    return target


def fetch_directory(uri: str) -> Tuple[Path, Optional[tempfile.TemporaryDirectory]]:
    """A local directory for `uri`; an S3 prefix is downloaded into a temporary one."""
    if not is_s3(uri):
        path = Path(uri)
        if not path.is_dir():
            raise FatalError(f"dbt project directory {uri} does not exist")
        return path, None
    bucket, prefix = split_s3(uri)
    prefix = prefix.rstrip("/") + "/" if prefix else ""
    holder = tempfile.TemporaryDirectory(prefix="safeguard-dbt-")
    root = Path(holder.name)
    client = s3_client()
    count = 0
    for obj in _list_objects(client, bucket, prefix):
        relative = obj["Key"][len(prefix):]
        if not relative or relative.endswith("/"):
            continue
        local = root / relative
        if root.resolve() not in local.resolve().parents:
            raise FatalError(f"refusing S3 key {obj['Key']!r}: it leaves the project directory")
        local.parent.mkdir(parents=True, exist_ok=True)
        client.download_file(bucket, obj["Key"], str(local))
        count += 1
    if not (root / "dbt_project.yml").is_file():
        holder.cleanup()
        raise FatalError(f"{uri} holds no dbt_project.yml ({count} files found)")
    log.info("FETCH    %d files of the dbt project from %s", count, uri)
    return root, holder
