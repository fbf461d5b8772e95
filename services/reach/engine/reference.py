"""SPEC "Reach" computed the plain way: every row of the read model read into Python, each
definition applied as written. Slow by design. It is the yardstick the engine's answers are
tested against, and nothing here is clever, so that it can be read beside reach-metrics.md.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.engine.result import (
    ALL_SESSIONS,
    CONFERENCE_KINDS,
    DIRECT_KINDS,
    NOT_RECORDED,
    People,
    Places,
    Reach,
    SessionFilter,
    person_keys,
)
from services.reach.readmodel.models import (
    Attendance,
    Event,
    EventSession,
    Membership,
    Organization,
    Person,
)

PERSON_DIMENSIONS = ("school", "district", "county", "role", "high_poverty", "el_serving",
                     "rural")
# Equity lenses (M12): an organization's own flag wins; else a threshold on its figures.
HIGH_POVERTY_FRPL_PCT = 51  # "more than 51%" free or reduced-price meals (report 003)
EL_SERVING_EL_PCT = 25
RURAL_LOCALES = ("rural", "isolated")


def local_date(starts_at: datetime, timezone: str | None) -> date:
    """A session's calendar date where it happens: "in W" means this date is in W."""
    try:
        zone = ZoneInfo(timezone) if timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return starts_at.astimezone(zone).date() if zone else starts_at.astimezone(UTC).date()


def session_hours(starts_at: datetime, ends_at: datetime | None) -> float:
    if ends_at is None or ends_at <= starts_at:
        return 0.0
    return (ends_at - starts_at).total_seconds() / 3600


def equity_flags(attributes: dict) -> dict[str, bool | None]:
    """The three lenses of one organization; None where it says nothing."""

    def flag(name: str, figure: str, test) -> bool | None:
        if isinstance(attributes.get(name), bool):
            return attributes[name]
        value = attributes.get(figure)
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                return test(value)
            except (TypeError, ValueError):
                return None
        return None

    return {
        "high_poverty": flag("high_poverty", "frpl_pct",
                             lambda v: float(v) > HIGH_POVERTY_FRPL_PCT),
        "el_serving": flag("el_serving", "el_pct", lambda v: float(v) >= EL_SERVING_EL_PCT),
        "rural": flag("rural", "locale", lambda v: str(v).strip().casefold() in RURAL_LOCALES),
    }


@dataclass(frozen=True)
class _Session:
    id: str
    event_id: str
    network_id: str | None
    kind: str
    starts_at: datetime
    day: date
    hours: float
    facilitators: frozenset[str]


class ReferenceEngine:
    """Load once with `await ReferenceEngine.load(db, now=...)`, then `ask` as often as needed."""

    def __init__(self) -> None:
        self.people: People
        self.ids: tuple[str, ...] = ()
        self.number: dict[str, int] = {}

    @classmethod
    async def load(cls, db: AsyncSession, *, now: datetime | None = None) -> "ReferenceEngine":
        engine = cls()
        now = now or datetime.now(UTC)
        people = {p.id: p for p in (await db.exec(select(Person))).all()}
        orgs = {o.id: o for o in (await db.exec(select(Organization))).all()}
        memberships = (await db.exec(select(Membership))).all()
        events = {e.id: e for e in (await db.exec(select(Event))).all()}
        sessions = (await db.exec(select(EventSession))).all()
        attendance = (await db.exec(select(Attendance.session_id, Attendance.person_id))).all()

        ids = set(people) | {m.person_id for m in memberships} | {p for _, p in attendance}
        ids |= {f for s in sessions for f in (s.facilitator_ids or ())}
        engine.ids = tuple(sorted(ids))
        engine.number = {pid: n for n, pid in enumerate(engine.ids)}
        engine.people = _people(engine.ids, people, orgs)
        engine._memberships = [m for m in memberships if m.role == "leader"]
        engine._events = events
        engine._held_per_event = defaultdict(list)
        engine._sessions = []
        for s in sessions:
            event = events.get(s.event_id)
            if event is None or s.starts_at is None or s.status == "cancelled":
                continue
            engine._held_per_event[s.event_id].append((s.starts_at, s.id))
            if s.starts_at > now:  # attendance of a session that has not started counts nowhere
                continue
            engine._sessions.append(_Session(
                id=s.id, event_id=s.event_id, network_id=event.network_id, kind=event.kind,
                starts_at=s.starts_at, day=local_date(s.starts_at, event.timezone),
                hours=session_hours(s.starts_at, s.ends_at),
                facilitators=frozenset(s.facilitator_ids or ())))
        engine._attendees = defaultdict(set)
        for session_id, person_id in attendance:
            engine._attendees[session_id].add(person_id)
        return engine

    def ask(self, network_id: str, start: date, end: date,
            sessions: SessionFilter = ALL_SESSIONS) -> Reach:
        n = self.people.count
        leaders = {m.person_id for m in self._memberships if m.organization_id == network_id
                   and (m.starts_on is None or m.starts_on <= end)
                   and (m.ends_on is None or m.ends_on >= start)}
        in_window = sorted(
            (s for s in self._sessions if start <= s.day <= end and self._admitted(s, sessions)),
            key=lambda s: (s.starts_at, s.id))
        attendees = {s.id: self._attendees.get(s.id, set()) - leaders for s in in_window}
        led = [s for s in in_window if s.network_id == network_id and s.facilitators & leaders]
        direct_sessions = [s for s in led if s.kind in DIRECT_KINDS]
        conference_sessions = [s for s in led if s.kind in CONFERENCE_KINDS]

        generation: dict[str, int] = {}
        reached_at: dict[str, datetime] = {}
        reached_by: dict[str, str] = {}
        direct: set[str] = set()
        multi: set[str] = set()
        per_event: dict[tuple[str, str], int] = defaultdict(int)
        for s in direct_sessions:
            for p in attendees[s.id]:
                direct.add(p)
                if len(self._held_per_event[s.event_id]) >= 2:
                    multi.add(p)
                per_event[(p, s.event_id)] += 1
        returned = {p for (p, _), count in per_event.items() if count >= 2}
        first: dict[str, tuple[datetime, str]] = {}
        for s in [*direct_sessions, *conference_sessions]:  # each person's first led session
            for p in attendees[s.id]:
                if p not in first or (s.starts_at, s.id) < first[p]:
                    first[p] = (s.starts_at, s.id)
                    reached_by[p] = min(s.facilitators & leaders)
        for p, (at, _) in first.items():
            generation[p], reached_at[p] = 1, at

        counted = {s.id: s for s in [*direct_sessions, *conference_sessions]}
        candidates = [s for s in in_window if s.facilitators and not s.facilitators & leaders]
        frontier, k = set(generation), 1
        while frontier:
            newly: dict[str, tuple[datetime, str, str]] = {}
            for s in candidates:
                qualifying = [f for f in s.facilitators
                              if f in frontier and reached_at[f] < s.starts_at]
                if not qualifying:
                    continue
                counted[s.id] = s
                for p in attendees[s.id]:
                    if p in generation:
                        continue
                    if p not in newly or (s.starts_at, s.id) < newly[p][:2]:
                        newly[p] = (s.starts_at, s.id, min(qualifying))
            k += 1
            for p, (at, _, by) in newly.items():
                generation[p], reached_at[p], reached_by[p] = k, at, by
            frontier = set(newly)

        return self._arrays(start, end, n, leaders, generation, direct, multi, returned,
                            reached_by, list(counted.values()), attendees)

    def _admitted(self, s: _Session, sessions: SessionFilter) -> bool:
        event = self._events[s.event_id]
        return sessions.admits(subjects=event.subjects, grade_min=event.grade_min,
                               grade_max=event.grade_max, kind=event.kind,
                               program_id=event.program_id)

    def _arrays(self, start, end, n, leaders, generation, direct, multi, returned, reached_by,
                counted: list[_Session], attendees: dict[str, set[str]]) -> Reach:
        def mask(people) -> np.ndarray:
            out = np.zeros(n, dtype=bool)
            out[[self.number[p] for p in people]] = True
            return out

        gen = np.zeros(n, dtype=np.int8)
        by = np.full(n, -1, dtype=np.int32)
        for p, g in generation.items():
            gen[self.number[p]] = g
            by[self.number[p]] = self.number[reached_by[p]]
        attendances = np.zeros(n, dtype=np.int32)
        hours = np.zeros(n, dtype=np.float64)
        events: dict[str, set[str]] = defaultdict(set)
        per_event_sessions: dict[str, list[_Session]] = defaultdict(list)
        facilitators: set[str] = set()
        sessions = 0
        for s in counted:
            present = attendees[s.id]
            per_event_sessions[s.event_id].append(s)
            facilitators |= s.facilitators
            if present:
                sessions += 1
            for p in present:
                attendances[self.number[p]] += 1
                hours[self.number[p]] += s.hours
                events[p].add(s.event_id)
        completed = np.zeros(n, dtype=np.int32)
        first = np.zeros(n, dtype=np.int32)
        came_back = np.zeros(n, dtype=np.int32)
        for event_id, event_sessions in per_event_sessions.items():
            went = [attendees[s.id] for s in event_sessions]
            if len(event_sessions) >= 2:
                for p in set.intersection(*went):
                    completed[self.number[p]] += 1
            held = sorted(self._held_per_event[event_id])
            if len(held) < 2 or self._events[event_id].kind not in DIRECT_KINDS:
                continue
            session_one = next((s for s in event_sessions if s.id == held[0][1]), None)
            if session_one is None:
                continue
            later = set().union(*(attendees[s.id] for s in event_sessions if s is not session_one))
            for p in attendees[session_one.id]:
                first[self.number[p]] += 1
                if p in later:
                    came_back[self.number[p]] += 1
        events_count = np.zeros(n, dtype=np.int32)
        for p, attended in events.items():
            events_count[self.number[p]] = len(attended)
        return Reach(
            start=start, end=end, leaders=mask(leaders), generation=gen,
            direct=mask(direct), direct_multi_session=mask(multi),
            direct_returned=mask(returned), attendances=attendances, hours=hours,
            events=events_count, completed=completed, first_sessions=first,
            returned_after_first=came_back, facilitated=mask(facilitators), reached_by=by,
            sessions=sessions)


def _people(ids: tuple[str, ...], people: dict[str, Person],
            orgs: dict[str, Organization]) -> People:
    values: dict[str, list[str | None]] = {d: [] for d in PERSON_DIMENSIONS}
    for pid in ids:
        person = people.get(pid)
        school = orgs.get(person.school_id) if person and person.school_id else None
        district_id = (person.district_id if person else None) or (
            school.parent_id if school else None)
        district = orgs.get(district_id) if district_id else None
        county = ((person.county if person else None) or (school.county if school else None)
                  or (district.county if district else None))
        values["school"].append(person.school_id if person else None)
        values["district"].append(district_id)
        values["county"].append(county)
        values["role"].append(person.role if person else None)
        school_flags = equity_flags(school.attributes or {}) if school else {}
        district_flags = equity_flags(district.attributes or {}) if district else {}
        for lens in ("high_poverty", "el_serving", "rural"):
            flag = school_flags.get(lens)
            if flag is None:
                flag = district_flags.get(lens)
            values[lens].append(None if flag is None else ("yes" if flag else "no"))

    def places(dimension: str) -> Places:
        keys = tuple(sorted({v for v in values[dimension] if v is not None}))
        code = {key: i for i, key in enumerate(keys)}
        codes = np.array([code.get(v, NOT_RECORDED) if v is not None else NOT_RECORDED
                          for v in values[dimension]], dtype=np.int32)
        if dimension in ("school", "district"):
            labels = tuple(orgs[k].name if k in orgs and orgs[k].name else k for k in keys)
        else:
            labels = keys
        return Places(codes=codes, keys=keys, labels=labels)

    return People(count=len(ids), ids=ids, places={d: places(d) for d in PERSON_DIMENSIONS},
                  keys=person_keys(ids))
