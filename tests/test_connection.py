"""Connection settings: one set for the dbt profile, the loader and the tests."""
from __future__ import annotations

import dataclasses

import pytest

from dbt_safeguard.connection import ConnectionSettings
from dbt_safeguard.errors import FatalError


def test_password_with_non_latin1_characters_connects(server, sql):
    password = "pässwörd-日本-🔑"
    sql.execute("CREATE USER 'sg_unicode'@'%%' IDENTIFIED BY %s", (password,))
    try:
        settings = dataclasses.replace(server, user="sg_unicode", password=password)
        conn = settings.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT CURRENT_USER()")
                assert cur.fetchone()[0] == "sg_unicode@%"
        finally:
            conn.close()
    finally:
        sql.execute("DROP USER 'sg_unicode'@'%'")


def test_password_never_appears_in_repr_or_description():
    settings = ConnectionSettings.from_env({"SAFEGUARD_DB_PASSWORD": "s3cret-value"})
    assert "s3cret-value" not in repr(settings)
    assert "s3cret-value" not in settings.describe()
    assert settings.as_env()["SAFEGUARD_DB_PASSWORD"] == "s3cret-value"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SAFEGUARD_DB_PORT": "33o6"}, "must be a number"),
        ({"SAFEGUARD_DB_PORT": "70000"}, "between 1 and 65535"),
        ({"SAFEGUARD_DB_TYPE": "postgres"}, "must be one of mysql, mariadb"),
    ],
)
def test_bad_settings_are_one_clear_line(env, message):
    with pytest.raises(FatalError, match=message):
        ConnectionSettings.from_env(env)
