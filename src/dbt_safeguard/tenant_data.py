"""A deterministic share-house OLTP database, one state per day, and its dump.

The reference project (dbt/) reads five OLTP tables: apartments, rooms,
tenants, movings and inquiries. This module simulates the operator's business
as a timeline of dated events and shows the database as it stands at the end
of day N. Each room has a random stream of its own, so day N+1 is day N plus
one day of events: new inquiries and applicants, contracts, move-ins,
move-out notices (some withdrawn), move-outs and freed rooms. Ids are handed
out in the order the rows were created, as AUTO_INCREMENT would, so a row
keeps its id from day to day.

`write_dump` turns a day into what the Glue job downloads from S3: a real
`mariadb-dump` of the OLTP schema, plain or gzipped.

    rows = generate_day(2, size=400)          # {"tenants": [(1, ...), ...], ...}
    write_dump(2, "day2.sql.gz", settings)    # mariadb-dump output, gzipped
    load_dump_with_client("day2.sql.gz", "staging", settings)
"""
from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import functools
import gzip as gzip_module
import logging
import os
import random
import secrets
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from .connection import ConnectionSettings
from .errors import FatalError

log = logging.getLogger("safeguard")

DAY_ONE = dt.date(2026, 2, 1)
MAX_DAY = 365
DEFAULT_SIZE = 400
DEFAULT_SEED = 7
DUMP_DATABASE_NAME = "tenant_oltp"

# The simulation starts this many days before day 1, so that day 1 already
# holds former tenants.
_HISTORY_DAYS = 120
# A stay's inquiry, and a withdrawn applicant for the same room, come up to
# this many days before its application: simulate that far past the cutoff.
_LOOKAHEAD_DAYS = 20
# Inquiries that never become tenants, per room and day.
_LOST_INQUIRIES_PER_ROOM_DAY = 0.014
# Tenants on day 1 per room, measured on the simulation below; sizes rooms.
_TENANTS_PER_ROOM = 1.4

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

# Codes, mirrored by the seeds in dbt/seeds/.
TENANT_APPLICANT, TENANT_CONTRACTED, TENANT_ACTIVE, TENANT_NOTICE, TENANT_MOVED_OUT, TENANT_CANCELLED = range(1, 7)
MOVE_IN, MOVE_OUT = 1, 2
ROOM_VACANT, ROOM_RESERVED, ROOM_OCCUPIED, ROOM_MAINTENANCE = range(1, 5)
INQUIRY_NEW, INQUIRY_CONTACTED, INQUIRY_CONVERTED, INQUIRY_LOST = range(1, 5)
CONTRACT_GENERAL, CONTRACT_FIXED_TERM, CONTRACT_SHORT_STAY, CONTRACT_CORPORATE = range(1, 5)
INQUIRY_CHANNELS = (1, 2, 3, 4, 5, 6)

Rows = Dict[str, List[tuple]]


def date_of_day(day: int) -> dt.date:
    """The calendar date whose end-of-day state `generate_day(day)` shows."""
    _check_day(day)
    return DAY_ONE + dt.timedelta(days=day - 1)


def _check_day(day: int) -> None:
    if not isinstance(day, int) or not 1 <= day <= MAX_DAY:
        raise FatalError(f"tenant_data: day must be an integer from 1 to {MAX_DAY}, got {day!r}")


# --- the simulated business ------------------------------------------------

# An instant is (day offset from day 1, seconds into that day): tuples sort in
# time order and compare against a day cutoff by their first element.
Instant = Tuple[int, int]


@dataclasses.dataclass
class _Person:
    full_name: str
    full_name_kana: Optional[str]
    gender: Optional[str]
    nationality_code: str
    birth_date: Optional[dt.date]
    phone: Optional[str]


@dataclasses.dataclass
class _Applicant:
    """One tenant: their inquiry, their status timeline and their movings."""

    room_index: int
    person: _Person
    inquired: Instant
    channel: int
    statuses: List[Tuple[Instant, int]]  # (since, tenant status), in time order
    contract_type: Optional[int] = None
    rent: Optional[int] = None
    tenant_id: int = 0
    inquiry_id: int = 0


@dataclasses.dataclass
class _Moving:
    applicant: _Applicant
    moving_type: int
    created: Instant
    scheduled_on: int
    completed: Optional[Instant]
    cancelled: Optional[Instant] = None
    moving_id: int = 0


@dataclasses.dataclass
class _LostInquiry:
    apartment_index: Optional[int]
    person: _Person
    channel: int
    preferred_move_in: Optional[int]
    statuses: List[Tuple[Instant, int]]
    inquiry_id: int = 0


@dataclasses.dataclass
class _Room:
    apartment_index: int
    room_number: str
    floor: int
    size_sqm: Decimal
    rent: int
    created: Instant
    # (since, room status), in time order
    statuses: List[Tuple[Instant, int]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Timeline:
    apartments: List[tuple]
    rooms: List[_Room]
    applicants: List[_Applicant]  # in tenant_id order
    movings: List[_Moving]  # in moving_id order
    inquiries: List[Union[_Applicant, _LostInquiry]]  # in inquiry_id order


_FAMILY_NAMES = (
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"),
)
_GIVEN_NAMES = (
    ("翔太", "ショウタ", "M"), ("蓮", "レン", "M"), ("大輝", "ダイキ", "M"), ("悠真", "ユウマ", "M"),
    ("陽菜", "ヒナ", "F"), ("結衣", "ユイ", "F"), ("さくら", "サクラ", "F"), ("美咲", "ミサキ", "F"),
    ("真琴", "マコト", None), ("ひかる", "ヒカル", "X"),
)
_FOREIGN_NAMES = (
    ("Emma Martin", "F", "FR"), ("Zoë Dupré", "F", "FR"), ("Liam O'Brien", "M", "US"),
    ("Olivia Smith", "F", "GB"), ("Nguyễn Văn An", "M", "VN"), ("Trần Thị Mai", "F", "VN"),
    ("김민준", "M", "KR"), ("이서연", "F", "KR"), ("王伟", "M", "CN"), ("李娜", "F", "CN"),
    ("Lukas Müller", "M", "DE"), ("Ana Souza", "F", "BR"), ("Arjun Sharma", "M", "IN"),
    ("Maria Santos", "F", "PH"), ("Noah Johnson", None, "US"),
)
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
_NEIGHBOURHOODS = (
    ("高円寺", "杉並区", "高円寺駅"), ("中野", "中野区", "中野駅"), ("池袋", "豊島区", "池袋駅"),
    ("北千住", "足立区", "北千住駅"), ("蒲田", "大田区", "蒲田駅"), ("赤羽", "北区", "赤羽駅"),
    ("三軒茶屋", "世田谷区", "三軒茶屋駅"), ("錦糸町", "墨田区", "錦糸町駅"), ("西荻窪", "杉並区", "西荻窪駅"),
    ("大塚", "豊島区", "大塚駅"),
)
# (contract type, weight, shortest stay, longest stay) in days
_CONTRACT_TYPES = (
    (CONTRACT_GENERAL, 45, 60, 240),
    (CONTRACT_FIXED_TERM, 15, 91, 182),
    (CONTRACT_SHORT_STAY, 30, 30, 89),
    (CONTRACT_CORPORATE, 10, 90, 270),
)


# random.randint and random.choice cost a few Python calls each; these are
# single C calls, which makes a 300 MB database several times faster to build.
def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: random.Random, options: Sequence):
    return options[int(rng.random() * len(options))]


def _business_hours(rng: random.Random) -> int:
    return _between(rng, 9 * 3600, 20 * 3600)


def _person(rng: random.Random) -> _Person:
    if rng.random() < 0.6:
        family, family_kana = _pick(rng, _FAMILY_NAMES)
        given, given_kana, gender = _pick(rng, _GIVEN_NAMES)
        name, kana, nationality = f"{family} {given}", f"{family_kana} {given_kana}", "JP"
    else:
        name, gender, nationality = _pick(rng, _FOREIGN_NAMES)
        kana = None
    birth_date = None
    if rng.random() < 0.9:
        birth_date = dt.date(1975, 1, 1) + dt.timedelta(days=_between(rng, 0, 365 * 30))
    phone = None
    if rng.random() < 0.85:
        phone = f"0{_pick(rng, (70, 80, 90))}-{_between(rng, 1000, 9999)}-{_between(rng, 1000, 9999)}"
    return _Person(name, kana, gender, nationality, birth_date, phone)


def _contract(rng: random.Random) -> Tuple[int, int]:
    """A contract type and the length of the stay it leads to."""
    pick = _between(rng, 1, sum(weight for _, weight, _, _ in _CONTRACT_TYPES))
    for contract_type, weight, shortest, longest in _CONTRACT_TYPES:
        pick -= weight
        if pick <= 0:
            return contract_type, _between(rng, shortest, longest)
    raise AssertionError("weights cover every pick")


@functools.lru_cache(maxsize=2)
def _timeline(size: int, seed: int, cutoff: int) -> _Timeline:
    """The simulated history up to day offset `cutoff` (and a little past it).

    Each room and each day of lost inquiries draws from a random stream of
    its own, so simulating further ahead never changes what came before:
    day N+1's rows created up to day N are day N's rows.
    """
    rng = random.Random(seed)
    # People are drawn from a pool: far fewer random draws per row, and
    # repeated names are realistic anyway.
    people = [_person(rng) for _ in range(997)]
    room_count = max(8, round(size / _TENANTS_PER_ROOM))
    apartments: List[tuple] = []
    rooms: List[_Room] = []
    while len(rooms) < room_count:
        index = len(apartments)
        area, city, station = _NEIGHBOURHOODS[index % len(_NEIGHBOURHOODS)]
        opened = -_HISTORY_DAYS - _between(rng, 30, 400)
        walk = _between(rng, 2, 18) if rng.random() < 0.9 else None
        apartments.append((f"シェアハウス{area} #{index // len(_NEIGHBOURHOODS) + 1}", "東京都", city, station, walk,
                           opened, (opened - 20, _business_hours(rng))))
        for number in range(min(_between(rng, 6, 16), room_count - len(rooms))):
            floor = 1 + number // 6
            rooms.append(_Room(index, f"{floor}{number % 6 + 1:02d}", floor, Decimal(_between(rng, 700, 1400)) / 100,
                               1000 * _between(rng, 38, 77), (opened - 10, _business_hours(rng))))

    applicants: List[_Applicant] = []
    movings: List[_Moving] = []
    for room_index, room in enumerate(rooms):
        rng = random.Random(f"{seed}/room/{room_index}")
        room.statuses.append((room.created, ROOM_VACANT))
        applied = -_HISTORY_DAYS + _between(rng, 0, 90)
        free_from = applied
        cleaned: Optional[Instant] = None
        while applied <= cutoff + _LOOKAHEAD_DAYS:
            if rng.random() < 0.12:
                # Someone applied for the room first and then withdrew.
                early = applied - _between(rng, 1, 6)
                dropout = _Applicant(room_index, _pick(rng, people), (early - _between(rng, 0, 10), _business_hours(rng)),
                                     _pick(rng, INQUIRY_CHANNELS),
                                     [((early, _business_hours(rng)), TENANT_APPLICANT),
                                      ((early + _between(rng, 1, 5), _business_hours(rng)), TENANT_CANCELLED)])
                applicants.append(dropout)
            contracted = (applied + _between(rng, 1, 4), _business_hours(rng))
            moved_in = (max(contracted[0] + _between(rng, 3, 14), free_from), _business_hours(rng))
            contract_type, stay = _contract(rng)
            moved_out = (moved_in[0] + stay, _business_hours(rng))
            notice = (max(moved_in[0] + 7, moved_out[0] - _between(rng, 30, 40)), _business_hours(rng))
            tenant = _Applicant(room_index, _pick(rng, people), (applied - _between(rng, 0, 10), _business_hours(rng)),
                                _pick(rng, INQUIRY_CHANNELS),
                                [((applied, _business_hours(rng)), TENANT_APPLICANT),
                                 (contracted, TENANT_CONTRACTED), (moved_in, TENANT_ACTIVE)],
                                contract_type, room.rent)
            applicants.append(tenant)
            movings.append(_Moving(tenant, MOVE_IN, contracted, moved_in[0], moved_in))
            if notice[0] - moved_in[0] > 60 and rng.random() < 0.08:
                # A notice the tenant took back a few days later.
                given = (_between(rng, moved_in[0] + 7, notice[0] - 45), _business_hours(rng))
                withdrawn = (given[0] + _between(rng, 3, 10), _business_hours(rng))
                tenant.statuses += [(given, TENANT_NOTICE), (withdrawn, TENANT_ACTIVE)]
                movings.append(_Moving(tenant, MOVE_OUT, given, given[0] + 30, None, withdrawn))
            tenant.statuses += [(notice, TENANT_NOTICE), (moved_out, TENANT_MOVED_OUT)]
            movings.append(_Moving(tenant, MOVE_OUT, notice, moved_out[0], moved_out))
            # A room is reserved from the contract, or from the end of the
            # cleaning that follows the previous move-out if that is later.
            if cleaned is None or contracted > cleaned:
                if cleaned is not None:
                    room.statuses.append((cleaned, ROOM_VACANT))
                room.statuses.append((contracted, ROOM_RESERVED))
            else:
                room.statuses.append((cleaned, ROOM_RESERVED))
            room.statuses += [(moved_in, ROOM_OCCUPIED), (moved_out, ROOM_MAINTENANCE)]
            free_from = moved_out[0] + _between(rng, 2, 7)
            cleaned = (free_from, 9 * 3600)
            applied = notice[0] + _between(rng, 5, 70)
        room.statuses.append((cleaned, ROOM_VACANT))

    lost: List[_LostInquiry] = []
    per_day = _LOST_INQUIRIES_PER_ROOM_DAY * len(rooms)
    for day in range(-_HISTORY_DAYS - 60, cutoff + 1):
        rng = random.Random(f"{seed}/inquiries/{day}")
        for _ in range(int(per_day * (0.5 + rng.random()) + rng.random())):
            lost.append(_lost_inquiry(rng, day, len(apartments), people))

    # Ids in creation order, as AUTO_INCREMENT hands them out.
    applicants.sort(key=lambda a: a.statuses[0][0])
    for number, applicant in enumerate(applicants, 1):
        applicant.tenant_id = number
    movings.sort(key=lambda m: (m.created, m.applicant.tenant_id, m.moving_type))
    for number, moving in enumerate(movings, 1):
        moving.moving_id = number
    inquiries: List[Union[_Applicant, _LostInquiry]] = [*applicants, *lost]
    inquiries.sort(key=lambda i: i.inquired if isinstance(i, _Applicant) else i.statuses[0][0])
    for number, inquiry in enumerate(inquiries, 1):
        inquiry.inquiry_id = number
    return _Timeline(apartments, rooms, applicants, movings, inquiries)


def _lost_inquiry(rng: random.Random, day: int, apartment_count: int, people: List[_Person]) -> _LostInquiry:
    inquired = (day, _business_hours(rng))
    apartment_index = _between(rng, 0, apartment_count - 1) if rng.random() < 0.8 else None
    preferred = day + _between(rng, 7, 60) if rng.random() < 0.7 else None
    contacted = (day + _between(rng, 0, 3), _business_hours(rng))
    statuses = [(inquired, INQUIRY_NEW), (max(contacted, inquired), INQUIRY_CONTACTED),
                ((day + _between(rng, 7, 30), _business_hours(rng)), INQUIRY_LOST)]
    return _LostInquiry(apartment_index, _pick(rng, people), _pick(rng, INQUIRY_CHANNELS), preferred, statuses)


# --- one day of it ---------------------------------------------------------


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
        raise FatalError(f"tenant_data: size must be an integer of at least 10, got {size!r}")
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


# --- a database and a dump of it -------------------------------------------


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


def populate_schema(schema: str, rows: Rows, settings: ConnectionSettings, batch_rows: int = 2000) -> None:
    """Create the five tables in the existing, empty `schema` and insert `rows`."""
    conn = settings.connect(database=schema, autocommit=False)
    try:
        with conn.cursor() as cur:
            # Bulk load of known-good rows: skip the per-row checks. The
            # literals below use backslash escapes, so make sure they work.
            cur.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0, "
                        "sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')")
            for statement in create_table_statements():
                cur.execute(statement)
            for table in TABLES:
                columns = ", ".join(f"`{name}`" for name in COLUMNS[table])
                table_rows = rows[table]
                for start in range(0, len(table_rows), batch_rows):
                    values = _row_literals(table, table_rows[start:start + batch_rows])
                    cur.execute(f"INSERT INTO `{table}` ({columns}) VALUES " + ",".join(values))
                conn.commit()
    finally:
        conn.close()


_ESCAPES = str.maketrans({"\\": "\\\\", "'": "\\'", "\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z"})


def _row_literals(table: str, rows: List[tuple]) -> List[str]:
    """Each row as an SQL `(v1,v2,...)` literal, converted a column at a time.

    Formatting whole columns with one comprehension each is several times
    faster than the driver's per-value escaping, which dominates large days.
    """
    if not rows:
        return []
    literals = []
    for (_, definition), values in zip(_DDL[table], zip(*rows)):
        kind = definition.split("(")[0].split()[0]
        if kind in ("varchar", "char", "text"):
            literals.append(["NULL" if v is None else "'" + v.translate(_ESCAPES) + "'" for v in values])
        elif kind in ("date", "datetime"):
            literals.append(["NULL" if v is None else f"'{v}'" for v in values])
        else:
            literals.append(["NULL" if v is None else str(v) for v in values])
    return ["(" + ",".join(row) + ")" for row in zip(*literals)]


@dataclasses.dataclass(frozen=True)
class DumpSummary:
    path: Path
    day: int
    as_of: dt.date
    row_counts: Dict[str, int]
    size_bytes: int


def write_dump(
    day: int,
    path: Union[str, os.PathLike],
    settings: ConnectionSettings,
    size: int = DEFAULT_SIZE,
    seed: int = DEFAULT_SEED,
    gzip: Optional[bool] = None,
    databases_flag: bool = False,
    database_name: str = DUMP_DATABASE_NAME,
) -> DumpSummary:
    """Write day `day`'s OLTP database as a mariadb-dump file at `path`.

    The rows go through a scratch schema on `settings`' server, dropped
    afterwards. `gzip` defaults to whether `path` ends in `.gz`. With
    `databases_flag` the dump carries `CREATE DATABASE` and `USE` statements
    for `database_name`, as `mysqldump --databases` writes them. The same
    arguments give a byte-identical file.
    """
    path = Path(path)
    if gzip is None:
        gzip = path.name.endswith(".gz")
    rows = generate_day(day, size=size, seed=seed)
    scratch = f"tenant_oltp_scratch_{secrets.token_hex(4)}"
    log.info("writing day %s (%s) of the OLTP database to %s through %s on %s",
             day, date_of_day(day), path, scratch, settings.describe())
    admin = settings.connect()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{scratch}` CHARACTER SET utf8mb4")
        try:
            populate_schema(scratch, rows, settings)
            _dump_schema(scratch, path, settings, gzip, databases_flag, database_name)
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{scratch}`")
    finally:
        admin.close()
    return DumpSummary(path, day, date_of_day(day), {table: len(rows[table]) for table in TABLES},
                       path.stat().st_size)


def _client_binary(names: Sequence[str]) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise FatalError(f"tenant_data: none of {', '.join(names)} is installed; install the MariaDB client")


@contextlib.contextmanager
def _client_options(settings: ConnectionSettings) -> Iterator[str]:
    """An option file for the MariaDB client programs: keeps the password off argv."""
    handle, name = tempfile.mkstemp(prefix="safeguard-client-", suffix=".cnf")  # created 0600
    try:
        with os.fdopen(handle, "w") as options:
            options.write(f"[client]\nhost={settings.host}\nport={settings.port}\nuser={settings.user}\n"
                          f"password={settings.password}\nprotocol=tcp\ndefault-character-set=utf8mb4\n")
        yield name
    finally:
        os.unlink(name)


def _dump_schema(schema: str, path: Path, settings: ConnectionSettings, gzip: bool, databases_flag: bool,
                 database_name: str) -> None:
    scratch_name, stable_name = schema.encode(), database_name.encode()
    with _client_options(settings) as options:
        command = [
            _client_binary(("mariadb-dump", "mysqldump")), f"--defaults-extra-file={options}",
            "--single-transaction", "--routines", "--triggers", "--hex-blob", "--skip-dump-date",
            *(["--databases"] if databases_flag else []), schema,
        ]
        # mtime=0 and no file name in the gzip header keep the file reproducible.
        with open(path, "wb") as raw, (
            gzip_module.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
            if gzip else contextlib.nullcontext(raw)
        ) as out, tempfile.TemporaryFile() as errors:
            dump = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
            for line in dump.stdout:
                # The scratch schema's random name appears only in header
                # comments and the --databases statements; data lines never
                # start with these prefixes.
                if line.startswith((b"--", b"CREATE DATABASE", b"USE ")):
                    line = line.replace(scratch_name, stable_name)
                out.write(line)
            if dump.wait() != 0:
                errors.seek(0)
                raise FatalError(f"tenant_data: mariadb-dump of {schema} failed: "
                                 f"{errors.read().decode(errors='replace').strip()}")


def load_dump_with_client(path: Union[str, os.PathLike], schema: str, settings: ConnectionSettings) -> None:
    """The simple loader: pipe a dump (plain or .gz) through the `mariadb` client into `schema`.

    `schema` is created if missing. Any `CREATE DATABASE` and `USE` lines of a
    `--databases` dump are dropped so that the tables land in `schema`.
    """
    path = Path(path)
    if not path.is_file():
        raise FatalError(f"tenant_data: no dump at {path}; write one with write_dump()")
    admin = settings.connect()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE IF NOT EXISTS `{schema.replace('`', '``')}` "
                        "CHARACTER SET utf8mb4")
    finally:
        admin.close()
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    log.info("loading %s into %s on %s with the mariadb client", path, schema, settings.describe())
    with _client_options(settings) as options, tempfile.TemporaryFile() as errors:
        client = subprocess.Popen(
            [_client_binary(("mariadb", "mysql")), f"--defaults-extra-file={options}", f"--database={schema}"],
            stdin=subprocess.PIPE, stderr=errors,
        )
        try:
            with (gzip_module.open(path, "rb") if gzipped else open(path, "rb")) as dump:
                # mariadb-dump escapes newlines inside strings, so every
                # line that starts with these words is a statement of its own.
                for line in dump:
                    if not line.startswith((b"CREATE DATABASE", b"USE ")):
                        client.stdin.write(line)
        except BrokenPipeError:
            pass  # the client stopped early; its exit code and stderr say why
        finally:
            with contextlib.suppress(BrokenPipeError):
                client.stdin.close()
        if client.wait() != 0:
            errors.seek(0)
            raise FatalError(f"tenant_data: loading {path} into {schema} failed: "
                             f"{errors.read().decode(errors='replace').strip()}")
