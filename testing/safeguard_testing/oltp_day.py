"""The OLTP database at the end of one simulated day: its tables and rows.

    rows = generate_day(2, size=400)   # {"tenants": [(1, ...), ...], ...}
"""
from __future__ import annotations

import bisect
import datetime as dt
from typing import Dict, List, Optional, Tuple

from dbt_safeguard.errors import FatalError

from .oltp_simulation import (
    DAY_ONE, DEFAULT_SEED, DEFAULT_SIZE, INQUIRY_CONVERTED, INQUIRY_NEW, MAX_DAY, MOVE_IN, TENANT_APPLICANT,
    TENANT_CANCELLED, Instant, _Applicant, _timeline,
)

TABLES = ("apartments", "rooms", "tenants", "movings", "inquiries")

# Column definitions in table order; the generated tuples follow this order.
_DDL: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "apartments": (
        ("apartment_id", "int unsigned NOT NULL AUTO_INCREMENT"),
        ("apartment_name", "varchar(100) NOT NULL"),
        ("prefecture", "varchar(20) NOT NULL"),
        ("city", "varchar(40) NOT NULL"),
        ("nearest_station", "varchar(60) NOT NULL"),
        ("walk_minutes", "tinyint unsigned DEFAULT NULL"),
        ("opened_on", "date NOT NULL"),
        ("created_at", "datetime NOT NULL"),
        ("updated_at", "datetime NOT NULL"),
    ),
    "rooms": (
        ("room_id", "int unsigned NOT NULL AUTO_INCREMENT"),
        ("apartment_id", "int unsigned NOT NULL"),
        ("room_number", "varchar(10) NOT NULL"),
        ("floor", "tinyint NOT NULL"),
        ("size_sqm", "decimal(5,2) NOT NULL"),
        ("monthly_rent", "int unsigned NOT NULL"),
        ("room_status", "tinyint unsigned NOT NULL"),
        ("created_at", "datetime NOT NULL"),
        ("updated_at", "datetime NOT NULL"),
    ),
    "tenants": (
        ("tenant_id", "int unsigned NOT NULL AUTO_INCREMENT"),
        ("inquiry_id", "int unsigned DEFAULT NULL"),
        ("full_name", "varchar(100) NOT NULL"),
        ("full_name_kana", "varchar(100) DEFAULT NULL"),
        ("gender", "char(1) DEFAULT NULL"),
        ("nationality_code", "char(2) NOT NULL"),
        ("birth_date", "date DEFAULT NULL"),
        ("email", "varchar(255) NOT NULL"),
        ("phone", "varchar(20) DEFAULT NULL"),
        ("status", "tinyint unsigned NOT NULL"),
        ("room_id", "int unsigned DEFAULT NULL"),
        ("contract_type", "tinyint unsigned DEFAULT NULL"),
        ("notes", "text DEFAULT NULL"),
        ("created_at", "datetime NOT NULL"),
        ("updated_at", "datetime NOT NULL"),
    ),
    "movings": (
        ("moving_id", "int unsigned NOT NULL AUTO_INCREMENT"),
        ("tenant_id", "int unsigned NOT NULL"),
        ("room_id", "int unsigned NOT NULL"),
        ("moving_type", "tinyint unsigned NOT NULL"),
        ("contract_type", "tinyint unsigned DEFAULT NULL"),
        ("contracted_on", "date DEFAULT NULL"),
        ("notified_on", "date DEFAULT NULL"),
        ("scheduled_on", "date NOT NULL"),
        ("completed_on", "date DEFAULT NULL"),
        ("monthly_rent", "int unsigned DEFAULT NULL"),
        ("is_cancelled", "tinyint(1) NOT NULL DEFAULT 0"),
        ("created_at", "datetime NOT NULL"),
        ("updated_at", "datetime NOT NULL"),
    ),
    "inquiries": (
        ("inquiry_id", "int unsigned NOT NULL AUTO_INCREMENT"),
        ("apartment_id", "int unsigned DEFAULT NULL"),
        ("channel", "tinyint unsigned NOT NULL"),
        ("customer_name", "varchar(100) NOT NULL"),
        ("nationality_code", "char(2) DEFAULT NULL"),
        ("preferred_move_in", "date DEFAULT NULL"),
        ("inquiry_status", "tinyint unsigned NOT NULL"),
        ("tenant_id", "int unsigned DEFAULT NULL"),
        ("message", "text DEFAULT NULL"),
        ("inquired_at", "datetime NOT NULL"),
        ("updated_at", "datetime NOT NULL"),
    ),
}
_INDEXES: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "apartments": (),
    "rooms": (("idx_rooms_apartment", "apartment_id"),),
    "tenants": (("idx_tenants_room", "room_id"), ("idx_tenants_status", "status")),
    "movings": (("idx_movings_tenant", "tenant_id"), ("idx_movings_room", "room_id")),
    "inquiries": (("idx_inquiries_apartment", "apartment_id"), ("idx_inquiries_inquired_at", "inquired_at")),
}
COLUMNS: Dict[str, Tuple[str, ...]] = {table: tuple(name for name, _ in cols) for table, cols in _DDL.items()}

Rows = Dict[str, List[tuple]]


def date_of_day(day: int) -> dt.date:
    """The calendar date whose end-of-day state `generate_day(day)` shows."""
    _check_day(day)
    return DAY_ONE + dt.timedelta(days=day - 1)


def _check_day(day: int) -> None:
    if not isinstance(day, int) or not 1 <= day <= MAX_DAY:
        raise FatalError(f"oltp_day: day must be an integer from 1 to {MAX_DAY}, got {day!r}")


# Free text as people type it: quotes, semicolons, newlines, tabs, a
# backslash and a 4-byte emoji, which every loader and dump must carry intact.
_AWKWARD_NOTES = (
    'Said "no smoking" twice; check the lease\nSecond line: prefers the top floor',
    "O'Brien's referral; pays rent on the 25th",
    "Allergic to cats 🐱; needs a room away from the lounge",
    "Guarantor: 山田 太郎 (father)\tcontact after 18:00",
    "Uploaded form path: C:\\Users\\tenant\\lease.pdf",
    "'; DROP TABLE tenants; --",
    "夜勤あり。静かな部屋を希望",
)
_INQUIRY_MESSAGES = (
    "Is the room still available?",
    "内見を希望します。週末は可能ですか？",
    "Can I move in next month; is Wi-Fi included?",
    "Price \"negotiable\"?\nAlso: parking for a bicycle",
    None,
    None,
)

_DAY_ONE_START = dt.datetime.combine(DAY_ONE, dt.time())


def _timestamp(instant: Instant) -> dt.datetime:
    return _DAY_ONE_START + dt.timedelta(days=instant[0], seconds=instant[1])


def _date(offset: int) -> dt.date:
    return DAY_ONE + dt.timedelta(days=offset)


def _as_of(statuses: List[Tuple[Instant, int]], cutoff: int) -> Tuple[Instant, int]:
    """The (since, status) in force at the end of day offset `cutoff`."""
    position = bisect.bisect_right(statuses, ((cutoff, 10**6), 10**6)) - 1
    return statuses[max(position, 0)]


def _notes(tenant_id: int) -> Optional[str]:
    # Every seventh tenant has a note, so that even a small day carries each
    # awkward one.
    if tenant_id % 7:
        return None
    return _AWKWARD_NOTES[tenant_id // 7 % len(_AWKWARD_NOTES)]


def generate_day(day: int, size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> Rows:
    """The OLTP database at the end of day `day` (1 = DAY_ONE), table -> rows.

    `size` is roughly the number of tenants on day 1; rooms and apartments
    scale with it. Rows are tuples in COLUMNS order, sorted by primary key.
    The same (day, size, seed) always gives the same rows.
    """
    _check_day(day)
    if not isinstance(size, int) or size < 10:
        raise FatalError(f"oltp_day: size must be an integer of at least 10, got {size!r}")
    cutoff = day - 1
    timeline = _timeline(size, seed, cutoff)

    apartments = [
        (number, name, prefecture, city, station, walk, _date(opened), _timestamp(created), _timestamp(created))
        for number, (name, prefecture, city, station, walk, opened, created) in enumerate(timeline.apartments, 1)
    ]
    rooms = []
    for number, room in enumerate(timeline.rooms, 1):
        since, status = _as_of(room.statuses, cutoff)
        rooms.append((number, room.apartment_index + 1, room.room_number, room.floor, room.size_sqm, room.rent,
                      status, _timestamp(room.created), _timestamp(since)))

    tenants = []
    for applicant in timeline.applicants:
        if applicant.statuses[0][0][0] > cutoff:
            break
        since, status = _as_of(applicant.statuses, cutoff)
        signed = status not in (TENANT_APPLICANT, TENANT_CANCELLED)
        person = applicant.person
        tenants.append((
            applicant.tenant_id, applicant.inquiry_id, person.full_name, person.full_name_kana, person.gender,
            person.nationality_code, person.birth_date, f"tenant{applicant.tenant_id}@example.jp", person.phone,
            status, applicant.room_index + 1 if signed else None, applicant.contract_type if signed else None,
            _notes(applicant.tenant_id), _timestamp(applicant.statuses[0][0]), _timestamp(since),
        ))

    movings = []
    for moving in timeline.movings:
        if moving.created[0] > cutoff:
            break
        applicant = moving.applicant
        updated = moving.created
        completed_on = None
        if moving.completed is not None and moving.completed[0] <= cutoff:
            completed_on, updated = _date(moving.completed[0]), moving.completed
        cancelled = moving.cancelled is not None and moving.cancelled[0] <= cutoff
        if cancelled:
            updated = moving.cancelled
        is_move_in = moving.moving_type == MOVE_IN
        movings.append((
            moving.moving_id, applicant.tenant_id, applicant.room_index + 1, moving.moving_type,
            applicant.contract_type if is_move_in else None,
            _date(moving.created[0]) if is_move_in else None,
            None if is_move_in else _date(moving.created[0]),
            _date(moving.scheduled_on), completed_on, applicant.rent if is_move_in else None,
            int(cancelled), _timestamp(moving.created), _timestamp(updated),
        ))

    inquiries = []
    for inquiry in timeline.inquiries:
        if isinstance(inquiry, _Applicant):
            inquired = inquiry.inquired
            if inquired[0] > cutoff:
                break
            converted = inquiry.statuses[0][0][0] <= cutoff
            status, since = (INQUIRY_CONVERTED, max(inquiry.statuses[0][0], inquired)) if converted \
                else (INQUIRY_NEW, inquired)
            room = timeline.rooms[inquiry.room_index]
            inquiries.append((
                inquiry.inquiry_id, room.apartment_index + 1, inquiry.channel, inquiry.person.full_name,
                inquiry.person.nationality_code, None, status, inquiry.tenant_id if converted else None,
                _INQUIRY_MESSAGES[inquiry.inquiry_id % len(_INQUIRY_MESSAGES)], _timestamp(inquired),
                _timestamp(since),
            ))
        else:
            inquired = inquiry.statuses[0][0]
            if inquired[0] > cutoff:
                break
            since, status = _as_of(inquiry.statuses, cutoff)
            inquiries.append((
                inquiry.inquiry_id, None if inquiry.apartment_index is None else inquiry.apartment_index + 1,
                inquiry.channel, inquiry.person.full_name, inquiry.person.nationality_code,
                None if inquiry.preferred_move_in is None else _date(inquiry.preferred_move_in), status, None,
                _INQUIRY_MESSAGES[inquiry.inquiry_id % len(_INQUIRY_MESSAGES)], _timestamp(inquired),
                _timestamp(since),
            ))
    return {"apartments": apartments, "rooms": rooms, "tenants": tenants, "movings": movings,
            "inquiries": inquiries}



def create_table_statements() -> List[str]:
    """CREATE TABLE statements for the five OLTP tables (InnoDB, utf8mb4).

    No COLLATE: the tables take the server's default utf8mb4 collation, as
    the seeds dbt creates do. Comparing columns of two different implicit
    collations is an error in MySQL (1267), not a conversion.
    """
    statements = []
    for table in TABLES:
        lines = [f"  `{name}` {definition}" for name, definition in _DDL[table]]
        lines.append(f"  PRIMARY KEY (`{COLUMNS[table][0]}`)")
        lines += [f"  KEY `{index}` (`{column}`)" for index, column in _INDEXES[table]]
        body = ",\n".join(lines)
        statements.append(
            f"CREATE TABLE `{table}` (\n{body}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        )
    return statements
