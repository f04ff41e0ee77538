"""The OLTP generator: deterministic days that differ the way a business does, and real dumps of them."""
from __future__ import annotations

import datetime as dt
import gzip
from collections import Counter
from typing import Dict, List

import pytest

from dbt_safeguard import dump_source
from dbt_safeguard.errors import FatalError
from dbt_safeguard.staging_loader import load_source

from safeguard_testing import oltp_day, oltp_dump, oltp_simulation
from safeguard_testing.oltp_day import COLUMNS

SIZE = oltp_simulation.DEFAULT_SIZE


def by_id(rows: List[tuple]) -> Dict[int, tuple]:
    return {row[0]: row for row in rows}


def column(table: str, name: str) -> int:
    return COLUMNS[table].index(name)


def test_the_same_day_always_gives_the_same_rows():
    first = oltp_day.generate_day(3, size=SIZE)
    oltp_simulation._timeline.cache_clear()
    assert oltp_day.generate_day(3, size=SIZE) == first
    assert oltp_day.generate_day(3, size=SIZE, seed=8) != first


def test_rows_follow_the_declared_columns_and_primary_key_order():
    for table, rows in oltp_day.generate_day(1, size=SIZE).items():
        assert rows, table
        assert all(len(row) == len(COLUMNS[table]) for row in rows), table
        assert [row[0] for row in rows] == list(range(1, len(rows) + 1)), table


# Columns a row never changes once it exists.
IMMUTABLE = {
    "apartments": COLUMNS["apartments"],
    "rooms": ("room_id", "apartment_id", "room_number", "size_sqm", "monthly_rent", "created_at"),
    "tenants": ("tenant_id", "inquiry_id", "full_name", "nationality_code", "birth_date", "notes", "created_at"),
    "movings": ("moving_id", "tenant_id", "room_id", "moving_type", "scheduled_on", "created_at"),
    "inquiries": ("inquiry_id", "apartment_id", "channel", "customer_name", "inquired_at"),
}


@pytest.mark.parametrize("day", [1, 30])
def test_the_next_day_keeps_every_row_under_its_id_and_only_appends_new_ones(day):
    today, tomorrow = oltp_day.generate_day(day, size=SIZE), oltp_day.generate_day(day + 1, size=SIZE)
    for table in oltp_day.TABLES:
        before, after = by_id(today[table]), by_id(tomorrow[table])
        assert set(before) <= set(after), table
        assert all(new_id > max(before) for new_id in set(after) - set(before)), table
        fixed = [column(table, name) for name in IMMUTABLE[table]]
        changed = [i for i in before if [before[i][c] for c in fixed] != [after[i][c] for c in fixed]]
        assert not changed, (table, changed[:5])


def test_default_day_two_brings_every_kind_of_event_the_demo_shows():
    """Inquiries, applicants, contracts (with their move-in movings), notices, move-outs and freed rooms."""
    day_one, day_two = oltp_day.generate_day(1), oltp_day.generate_day(2)
    today = oltp_day.date_of_day(2)
    movings = day_two["movings"]
    is_type, completed = column("movings", "moving_type"), column("movings", "completed_on")
    events = Counter()
    events["inquiries"] = sum(row[column("inquiries", "inquired_at")].date() == today for row in day_two["inquiries"])
    events["applicants"] = len(day_two["tenants"]) - len(day_one["tenants"])
    events["contracts"] = sum(row[column("movings", "contracted_on")] == today for row in movings)
    events["move_in_movings"] = sum(
        row[is_type] == oltp_simulation.MOVE_IN and row[column("movings", "created_at")].date() == today for row in movings
    )
    events["notices"] = sum(row[column("movings", "notified_on")] == today for row in movings)
    events["move_outs"] = sum(row[is_type] == oltp_simulation.MOVE_OUT and row[completed] == today for row in movings)
    status = column("rooms", "room_status")
    rooms_before = by_id(day_one["rooms"])
    events["rooms_freed"] = sum(
        rooms_before[row[0]][status] == oltp_simulation.ROOM_OCCUPIED and row[status] != oltp_simulation.ROOM_OCCUPIED
        for row in day_two["rooms"]
    )
    assert all(events[kind] > 0 for kind in events), events


def test_a_month_of_days_includes_move_ins_withdrawn_notices_and_cancelled_applicants():
    statuses_seen, withdrawn, moved_in = set(), 0, 0
    for day in range(1, 31):
        rows = oltp_day.generate_day(day, size=SIZE)
        statuses_seen |= {row[column("tenants", "status")] for row in rows["tenants"]}
        withdrawn = max(withdrawn, sum(row[column("movings", "is_cancelled")] for row in rows["movings"]))
        moved_in += sum(row[column("movings", "moving_type")] == oltp_simulation.MOVE_IN
                        and row[column("movings", "completed_on")] == oltp_day.date_of_day(day)
                        for row in rows["movings"])
    assert statuses_seen == set(range(1, 7))
    assert withdrawn > 0
    assert moved_in >= 30


@pytest.mark.parametrize("day", [1, 2, 15, 90])
def test_keys_are_consistent_and_no_room_holds_two_residents(day):
    rows = oltp_day.generate_day(day, size=SIZE)
    apartments, rooms = by_id(rows["apartments"]), by_id(rows["rooms"])
    tenants, inquiries = by_id(rows["tenants"]), by_id(rows["inquiries"])
    assert all(room[1] in apartments for room in rooms.values())
    assert all(t[column("tenants", "room_id")] in rooms for t in tenants.values()
               if t[column("tenants", "room_id")] is not None)
    assert all(t[column("tenants", "inquiry_id")] in inquiries for t in tenants.values())
    assert all(m[1] in tenants and m[2] in rooms for m in rows["movings"])
    for inquiry in inquiries.values():
        assert inquiry[1] is None or inquiry[1] in apartments
        assert inquiry[column("inquiries", "tenant_id")] is None or inquiry[column("inquiries", "tenant_id")] in tenants
    status, room_id = column("tenants", "status"), column("tenants", "room_id")
    residents = Counter(t[room_id] for t in tenants.values()
                        if t[status] in (oltp_simulation.TENANT_ACTIVE, oltp_simulation.TENANT_NOTICE))
    assert max(residents.values()) == 1
    occupied = {r[0] for r in rooms.values() if r[column("rooms", "room_status")] == oltp_simulation.ROOM_OCCUPIED}
    assert occupied == set(residents)


def test_rows_carry_japanese_text_nulls_and_awkward_notes():
    rows = oltp_day.generate_day(1, size=SIZE)
    tenants = rows["tenants"]
    notes = {row[column("tenants", "notes")] for row in tenants}
    assert None in notes
    assert any(note and '"' in note and ";" in note and "\n" in note for note in notes)
    assert any(note and "\\" in note for note in notes)
    assert any(note and "🐱" in note for note in notes)
    assert any("佐藤" in row[column("tenants", "full_name")] or "田中" in row[column("tenants", "full_name")]
               for row in tenants)
    assert any(row[column("tenants", "phone")] is None for row in tenants)
    assert any(row[column("inquiries", "apartment_id")] is None for row in rows["inquiries"])


def test_size_scales_the_database():
    small, large = oltp_day.generate_day(1, size=200), oltp_day.generate_day(1, size=2000)
    assert 180 <= len(small["tenants"]) <= 220
    assert 1800 <= len(large["tenants"]) <= 2200
    assert len(large["rooms"]) > 8 * len(small["rooms"])


@pytest.mark.parametrize("day, size", [(0, 200), (oltp_simulation.MAX_DAY + 1, 200), ("2", 200), (1, 5)])
def test_out_of_range_arguments_are_rejected_with_the_allowed_range(day, size):
    with pytest.raises(FatalError, match="must be an integer"):
        oltp_day.generate_day(day, size=size)


def read_dump(path) -> bytes:
    with (gzip.open(path) if str(path).endswith(".gz") else open(path, "rb")) as dump:
        return dump.read()


def test_the_same_day_gives_a_byte_identical_gzipped_dump(server, sql, tmp_path):
    first = oltp_dump.write_dump(2, tmp_path / "first.sql.gz", server)
    second = oltp_dump.write_dump(2, tmp_path / "second.sql.gz", server)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.row_counts == {table: len(rows) for table, rows in oltp_day.generate_day(2).items()}
    assert not sql.rows("SHOW DATABASES LIKE %s", ("tenant\\_oltp\\_scratch\\_%",))


def test_the_dump_is_a_mariadb_dump_named_after_the_oltp_database(server, tmp_path):
    plain = read_dump(oltp_dump.write_dump(1, tmp_path / "day1.sql", server).path)
    assert plain.startswith(b"/*") or plain.startswith(b"-- MariaDB dump")
    assert b"Database: tenant_oltp\n" in plain
    assert b"tenant_oltp_scratch" not in plain
    assert b"CREATE DATABASE" not in plain
    assert plain.count(b"CREATE TABLE") == len(oltp_day.TABLES)
    with_databases = read_dump(oltp_dump.write_dump(1, tmp_path / "day1-db.sql.gz", server,
                                                      databases_flag=True).path)
    assert b"CREATE DATABASE /*!32312 IF NOT EXISTS*/ `tenant_oltp`" in with_databases
    assert b"USE `tenant_oltp`;" in with_databases
    assert b"tenant_oltp_scratch" not in with_databases


@pytest.mark.parametrize("name, databases_flag", [("day2.sql.gz", False), ("day2.sql", True)])
def test_the_loader_restores_every_row_of_a_dump_exactly(server, sql, tmp_path, schema_prefix, name, databases_flag):
    schema = f"{schema_prefix}oltp_roundtrip"
    dump = oltp_dump.write_dump(2, tmp_path / name, server, databases_flag=databases_flag)
    try:
        load_source(dump_source.resolve(str(dump.path)), server, schema, show_progress=False, keep_previous=False)
        expected = oltp_day.generate_day(2)
        for table in oltp_day.TABLES:
            assert sql.rows(f"SELECT * FROM `{schema}`.`{table}` ORDER BY 1") == [tuple(r) for r in expected[table]]
        assert not sql.rows("SHOW DATABASES LIKE %s", ("tenant\\_oltp",))
    finally:
        sql.execute(f"DROP DATABASE IF EXISTS `{schema}`")


def test_day_one_is_the_first_of_february_2026():
    assert oltp_day.date_of_day(1) == dt.date(2026, 2, 1)
    assert oltp_day.date_of_day(29) == dt.date(2026, 3, 1)
