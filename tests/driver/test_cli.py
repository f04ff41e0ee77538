"""What people see: exit codes, one clean error line, no password, progress only on a terminal."""
from __future__ import annotations

import io
import json

import pytest

from dbt_safeguard.cli.main import EXIT_FAILURE, EXIT_USAGE, main
from dbt_safeguard.etl import drop_empty_tables
from dbt_safeguard.progress import ProgressBar
from dbt_safeguard.staging_loader import StagingLoader

from safeguard_testing.dump_files import create_awkward_schema, create_sized_schema, mariadb_dump

PASSWORD = "pw-S3cret;'42%$x"

pytestmark = pytest.mark.usefixtures("cleanup_schemas")


@pytest.fixture
def password_user(sql, names):
    user = names.target[-10:] + "_u"
    sql.execute("CREATE USER %s@%s IDENTIFIED BY %s", (user, "%", PASSWORD))
    sql.execute("GRANT ALL PRIVILEGES ON *.* TO %s@%s", (user, "%"))
    yield user
    sql.execute("DROP USER %s@%s", (user, "%"))


def connection_args(server, user):
    return ["--host", server.host, "--port", str(server.port), "--user", user]


def test_password_never_appears_in_the_logs(server, sql, names, tmp_path, capfd, password_user, monkeypatch):
    create_sized_schema(sql, names.source, 50)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql")

    code = main(["load", str(dump), "--schema", names.target, "--log-format", "json",
                 *connection_args(server, password_user), "--password", PASSWORD])
    out, err = capfd.readouterr()
    assert code == 0
    assert any(json.loads(line)["event"] == "load_end" for line in out.splitlines())
    assert PASSWORD not in out + err

    monkeypatch.setenv("SAFEGUARD_DB_PASSWORD", PASSWORD + "-wrong")
    code = main(["load", str(dump), "--schema", names.target, *connection_args(server, password_user)])
    out, err = capfd.readouterr()
    assert code == EXIT_FAILURE
    assert "cannot connect to" in err and "Access denied" in err and "Traceback" not in err
    assert PASSWORD not in out + err


def test_usage_errors_exit_2_and_failures_exit_1(server, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["load"])
    assert exit_.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as exit_:
        main(["etl", "--dump-uri", "x"])  # --project-dir missing
    assert exit_.value.code == EXIT_USAGE
    assert main(["load", str(tmp_path / "missing.sql"), *connection_args(server, server.user)]) == EXIT_FAILURE
    assert "missing.sql does not exist" in capsys.readouterr().err


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal():
    position = iter([50_000_000, 100_000_000])
    terminal = Tty()
    bar = ProgressBar(200_000_000, lambda: next(position), stream=terminal)
    bar(0, "tenants")
    shown = terminal.getvalue()
    assert "50.0 MB/200.0 MB" in shown and "MB/s" in shown and "ETA" in shown and "tenants" in shown
    bar.finish()  # a finished bar no longer prefixes log lines with its clearing
    assert terminal.getvalue().endswith("\r")

    piped = io.StringIO()
    quiet = ProgressBar(200_000_000, lambda: 0, stream=piped)
    quiet(0, "tenants")
    quiet.finish()
    assert piped.getvalue() == ""


def test_empty_tables_are_dropped_only_when_asked_and_only_the_dumps(server, sql, names, tmp_path):
    create_awkward_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql")
    with open(dump, "rb") as stream:
        result = StagingLoader(server, names.target).load(stream, "d.sql")
    assert "empty_one" in sql.tables(names.target)  # the loader keeps empty tables
    sql.execute(f"CREATE TABLE `{names.target}`.`not_from_dump` (id INT)")

    assert drop_empty_tables(server, names.target, result) == ["empty_one"]

    assert "empty_one" not in sql.tables(names.target)
    assert "not_from_dump" in sql.tables(names.target)
