"""A deterministic share-house business: the timeline behind the OLTP database.

The reference project (dbt/) reads five OLTP tables: apartments, rooms,
tenants, movings and inquiries. This module simulates the operator's business
as a timeline of dated events: new inquiries and applicants, contracts,
move-ins, move-out notices (some withdrawn), move-outs and freed rooms. Each
room has a random stream of its own, so the timeline up to day N+1 is the
timeline up to day N plus one day of events. Ids are handed out in the order
the rows were created, as AUTO_INCREMENT would, so a row keeps its id from
day to day. `oltp_day` shows the database as it stands at the end of a day;
`oltp_dump` writes it as a mariadb-dump file.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
from decimal import Decimal
from typing import List, Optional, Sequence, Tuple, Union

DAY_ONE = dt.date(2026, 2, 1)
MAX_DAY = 365
DEFAULT_SIZE = 400
DEFAULT_SEED = 7

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

# Codes, mirrored by the seeds in dbt/seeds/.
TENANT_APPLICANT, TENANT_CONTRACTED, TENANT_ACTIVE, TENANT_NOTICE, TENANT_MOVED_OUT, TENANT_CANCELLED = range(1, 7)
MOVE_IN, MOVE_OUT = 1, 2
ROOM_VACANT, ROOM_RESERVED, ROOM_OCCUPIED, ROOM_MAINTENANCE = range(1, 5)
INQUIRY_NEW, INQUIRY_CONTACTED, INQUIRY_CONVERTED, INQUIRY_LOST = range(1, 5)
CONTRACT_GENERAL, CONTRACT_FIXED_TERM, CONTRACT_SHORT_STAY, CONTRACT_CORPORATE = range(1, 5)
INQUIRY_CHANNELS = (1, 2, 3, 4, 5, 6)

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
