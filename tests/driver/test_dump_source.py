"""Dumps from S3 (a real HTTP S3 server: moto's) stream into staging like local files."""
from __future__ import annotations

import time

import pytest

from dbt_safeguard import dump_source
from dbt_safeguard.staging_loader import load_source

from safeguard_testing.dump_files import create_sized_schema, gzip_file, mariadb_dump

pytestmark = pytest.mark.usefixtures("cleanup_schemas")


def test_s3_object_and_newest_under_prefix_load_with_identical_checksums(server, sql, names, tmp_path, s3):
    create_sized_schema(sql, names.source, 300)
    old = mariadb_dump(server, names.source, tmp_path / "old.sql")
    sql.execute(f"INSERT INTO `{names.source}`.`alpha` SELECT seq, 'new', 'n' FROM seq_301_to_320")
    new = gzip_file(mariadb_dump(server, names.source, tmp_path / "new.sql"))
    s3.client.upload_file(str(old), s3.bucket, "daily/2026-02-01.sql")
    time.sleep(1.1)  # S3 LastModified has one-second resolution
    s3.client.upload_file(str(new), s3.bucket, "daily/2026-02-02.sql.gz")
    s3.client.upload_file(str(old), s3.bucket, "daily/archive/2026-03-01.sql")  # archived: never "newest"

    source = dump_source.resolve(f"s3://{s3.bucket}/daily/", exclude=f"s3://{s3.bucket}/daily/archive/")
    assert source.uri == f"s3://{s3.bucket}/daily/2026-02-02.sql.gz"
    result = load_source(source, server, names.target, show_progress=False)

    assert result.tables == {"alpha": 320, "beta": 300}
    for table in ("alpha", "beta"):
        assert sql.checksum(names.target, table) == sql.checksum(names.source, table)

    exact = dump_source.resolve(f"s3://{s3.bucket}/daily/2026-02-01.sql")
    load_source(exact, server, names.target, show_progress=False)
    assert sql.scalar(f"SELECT COUNT(*) FROM `{names.target}`.`alpha`") == 300


def test_archive_moves_the_s3_object_under_the_archive_prefix(s3, tmp_path):
    (tmp_path / "d.sql").write_bytes(b"-- nothing\n")
    s3.client.upload_file(str(tmp_path / "d.sql"), s3.bucket, "in/d.sql")
    source = dump_source.resolve(f"s3://{s3.bucket}/in/")
    archive = dump_source.default_archive(f"s3://{s3.bucket}/in/")

    assert dump_source.archive(source, archive) == f"s3://{s3.bucket}/in/archive/d.sql"
    assert s3.keys() == ["in/archive/d.sql"]


def test_missing_dump_is_one_clear_error(s3, tmp_path):
    with pytest.raises(Exception, match=r"no dump \(\*.sql, \*.sql.gz\) under s3://"):
        dump_source.resolve(f"s3://{s3.bucket}/nothing/")
    with pytest.raises(Exception, match="does not exist"):
        dump_source.resolve(str(tmp_path / "missing.sql"))


def _one_line_failure(capsys, argv):
    from dbt_safeguard.cli.main import EXIT_FAILURE, main

    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == EXIT_FAILURE and "Traceback" not in err, err
    assert len(lines) == 1, err
    return lines[0]


def test_an_s3_refusal_is_one_line_from_botocores_client_error(s3, capsys):
    line = _one_line_failure(capsys, ["load", f"s3://{s3.bucket}-missing/day.sql", "--schema", "staging_never"])
    assert f"s3://{s3.bucket}-missing/day.sql" in line and "NoSuchBucket" in line


def test_an_unreachable_s3_is_one_line_from_botocores_own_error(s3, monkeypatch, capsys):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    line = _one_line_failure(capsys, ["load", f"s3://{s3.bucket}/day.sql", "--schema", "staging_never"])
    assert f"s3://{s3.bucket}/day.sql" in line and "Could not connect" in line
