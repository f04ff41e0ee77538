"""Test and demo support for dbt-safeguard; never part of the wheel.

- local_server: a throwaway MariaDB in a temporary datadir
- oltp_simulation, oltp_day, oltp_dump: the simulated OLTP database, one
  day's rows, and a real mariadb-dump file of a day
- harness: the test server's settings and a small SQL client for assertions
- reference_warehouse: the reference dbt project on the test server
- dump_files: awkward source schemas and mariadb-dump files of them
- project_files, lint_helpers: copies of dbt projects; linting from the repository root
"""
