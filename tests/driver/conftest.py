"""Fixtures for the loader and ETL tests."""
from __future__ import annotations

import uuid

import pytest

from safeguard_testing.dump_files import create_sized_schema, load, mariadb_dump

@pytest.fixture
def names(schema_prefix):
    """Fresh schema names for one test: names.source, names.target, ..."""
    token = uuid.uuid4().hex[:6]

    class Names:
        source = f"{schema_prefix}src_{token}"
        target = f"{schema_prefix}stg_{token}"
        other = f"{schema_prefix}oth_{token}"

    return Names


@pytest.fixture
def cleanup_schemas(sql, names):
    yield
    # Tests leave parent/child pairs across schemas: drop them in any order.
    sql.execute("SET SESSION foreign_key_checks = 0")
    for schema in (names.source, names.target, names.other):
        for suffix in ("", "_loading", "_previous"):
            sql.execute(f"DROP DATABASE IF EXISTS `{schema}{suffix}`")


@pytest.fixture
def loaded(server, sql, names, tmp_path, cleanup_schemas):
    """A target loaded with a first dump; returns (dump bytes of a second, snapshot of the target)."""
    create_sized_schema(sql, names.source, 2000)
    load(server, mariadb_dump(server, names.source, tmp_path / "day1.sql"), names.target)
    sql.execute(f"UPDATE `{names.source}`.`alpha` SET name = 'day two'")
    data = mariadb_dump(server, names.source, tmp_path / "day2.sql").read_bytes()
    snapshot = sql.snapshot([(names.target, t) for t in ("alpha", "beta")])
    return data, snapshot


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's standalone S3 server over HTTP; boto3 reaches it through AWS_ENDPOINT_URL_S3."""
    from safeguard_testing.moto_s3 import MotoServer

    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """A boto3 client on a fresh bucket of the moto server, with the environment the code under test reads."""
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3")
    bucket = f"dumps-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket)

    class S3:
        pass

    S3.client, S3.bucket = client, bucket
    S3.keys = lambda prefix="": sorted(
        o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    )
    return S3
