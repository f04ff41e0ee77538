"""The AWS Glue job of the daily ETL: runs `safeguard etl` with the job's arguments.

Glue passes job arguments as `--dump_uri s3://...`; they are read with
`awsglue.utils.getResolvedOptions` inside Glue and with argparse anywhere else,
then handed to the same code as the `safeguard etl` command, with JSON logs.

    python scripts/glue_daily_etl.py --dump_uri s3://bucket/daily/ --project_dir s3://bucket/dbt/

(scripts/glue_daily_etl.py, the job's script_location, only calls main().)

The database password never travels as an argument: it comes from
SAFEGUARD_DB_PASSWORD or from the Secrets Manager secret named by
--db_password_secret_id (a plain string or JSON with a "password" key).
Exit status: 0 success, 1 data or dbt failure, 2 bad arguments.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Dict, List, Optional, Sequence

REQUIRED = ("dump_uri", "project_dir")
# Glue argument -> `safeguard etl` option; flags take "true"/"false".
OPTIONS = {
    "archive_uri": "--archive-uri",
    "history_uri": "--history-uri",
    "spill_dir": "--spill-dir",
    "schema_prefix": "--schema-prefix",
    "staging_schema": "--staging-schema",
    "catalog_schema": "--catalog-schema",
    "workers": "--workers",
    "db_host": "--host",
    "db_port": "--port",
    "db_user": "--user",
    "db_type": "--adapter-type",
    "JOB_NAME": "--job-name",
}
FLAGS = {"drop_empty_tables": "--drop-empty-tables"}
LISTS = {"require_tables": "--require-table", "collation_map": "--collation-map"}  # comma-separated
SECRET = "db_password_secret_id"
OPTIONAL = (*OPTIONS, *FLAGS, *LISTS, SECRET)


def job_arguments(argv: Sequence[str]) -> Dict[str, str]:
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:
        getResolvedOptions = None
    if getResolvedOptions is not None:
        # getResolvedOptions only knows required arguments: ask for the optional ones present.
        present = [name for name in OPTIONAL if f"--{name}" in argv]
        return dict(getResolvedOptions(list(argv), [*REQUIRED, *present]))
    parser = argparse.ArgumentParser(prog="glue_daily_etl", description=__doc__.split("\n\n")[0])
    for name in REQUIRED:
        parser.add_argument(f"--{name}", required=True)
    for name in OPTIONAL:
        parser.add_argument(f"--{name}")
    known, _glue_own = parser.parse_known_args(list(argv[1:]))  # Glue adds --job-bookmark-option etc.
    return {name: value for name, value in vars(known).items() if value is not None}


def _true(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        # Same exit status as argparse: a usage error.
        print(f"glue_daily_etl: expected true or false, got {value!r}", file=sys.stderr)
        raise SystemExit(2)
    return value.lower() == "true"


def etl_argv(arguments: Dict[str, str]) -> List[str]:
    argv = ["etl", "--dump-uri", arguments["dump_uri"], "--project-dir", arguments["project_dir"],
            "--log-format", "json", "--no-progress"]
    for name, option in OPTIONS.items():
        if arguments.get(name):
            argv += [option, arguments[name]]
    for name, option in FLAGS.items():
        if arguments.get(name) and _true(arguments[name]):
            argv.append(option)
    for name, option in LISTS.items():
        for item in filter(None, (arguments.get(name) or "").split(",")):
            argv += [option, item.strip()]
    return argv


def password_from_secret(secret_id: str) -> str:
    import boto3

    value = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed["password"] if isinstance(parsed, dict) else value


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .cli.main import main as safeguard_main

    arguments = job_arguments(sys.argv if argv is None else argv)
    if arguments.get(SECRET):
        os.environ["SAFEGUARD_DB_PASSWORD"] = password_from_secret(arguments[SECRET])
    return safeguard_main(etl_argv(arguments))
