"""One set of connection settings for the dbt profile, the loader and the tests.

Settings come from SAFEGUARD_DB_* environment variables and can be overridden
on the command line. The password is never part of a repr or a log line.
"""
from __future__ import annotations

import dataclasses
import os
from typing import Mapping, Optional

import pymysql

ENV_PREFIX = "SAFEGUARD_DB_"
ADAPTER_TYPES = ("mysql", "mariadb")


@dataclasses.dataclass(frozen=True)
class ConnectionSettings:
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = dataclasses.field(default="", repr=False)
    adapter_type: str = "mysql"

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **overrides) -> "ConnectionSettings":
        """Read SAFEGUARD_DB_{HOST,PORT,USER,PASSWORD,TYPE}; non-None overrides win."""
        env = os.environ if environ is None else environ
        values = {
            "host": env.get(ENV_PREFIX + "HOST", cls.host),
            "port": env.get(ENV_PREFIX + "PORT", cls.port),
            "user": env.get(ENV_PREFIX + "USER", cls.user),
            "password": env.get(ENV_PREFIX + "PASSWORD", cls.password),
            "adapter_type": env.get(ENV_PREFIX + "TYPE", cls.adapter_type),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def validated(self) -> "ConnectionSettings":
        from .errors import FatalError

        try:
            port = int(self.port)
        except (TypeError, ValueError):
            raise FatalError(f"{ENV_PREFIX}PORT must be a number, got {self.port!r}") from None
        if not 0 < port < 65536:
            raise FatalError(f"{ENV_PREFIX}PORT must be between 1 and 65535, got {port}")
        if self.adapter_type not in ADAPTER_TYPES:
            raise FatalError(
                f"{ENV_PREFIX}TYPE must be one of {', '.join(ADAPTER_TYPES)}, got {self.adapter_type!r}"
            )
        return dataclasses.replace(self, port=port)

    def as_env(self) -> dict:
        """The environment the dbt profile (dbt/profiles.yml) reads."""
        return {
            ENV_PREFIX + "HOST": self.host,
            ENV_PREFIX + "PORT": str(self.port),
            ENV_PREFIX + "USER": self.user,
            ENV_PREFIX + "PASSWORD": self.password,
            ENV_PREFIX + "TYPE": self.adapter_type,
        }

    def describe(self) -> str:
        """For logs: never includes the password."""
        return f"{self.user}@{self.host}:{self.port} ({self.adapter_type})"

    def connect(self, database: Optional[str] = None, autocommit: bool = True, **kwargs) -> pymysql.connections.Connection:
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            # pymysql would encode a str password as Latin-1; servers compare UTF-8 bytes.
            password=self.password.encode("utf-8"),
            database=database,
            autocommit=autocommit,
            charset="utf8mb4",
            **kwargs,
        )
