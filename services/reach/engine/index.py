"""The reach engine the service answers from: the read model kept in memory as numpy columns,
brought up to date from the rows written since the last look, and asked without touching the
database.

Layout (what an answer reads):
- Sessions have a number each and a rank: their order by (starts_at, id), the order the
  definitions break ties in. Attendance is one row per (session, person), the rows sorted by
  (session rank, person), so the sessions of a window (a range of ranks: by start time, the
  window widened by a day each side for time zones, then cut to the sessions whose local date is
  in it and that have started) are one contiguous slice of rows, each session a run of it.
- Per row only the person number and a (person, event) pair number are kept (8 bytes); a
  session's own facts (category in this answer, hours) are spread over its run with
  `numpy.repeat`. Per-person figures are `bincount`s over the counted rows; "first counted
  session" is the lowest row position per person (`minimum.at`), which is the lowest rank.
- The cascade iterates generations over the rows of the window's sessions no leader
  facilitated, only those.
- Rows of people who ever held a leader membership are also kept aside (few), for the one
  figure where a leader's own attendance matters (a session counts when someone other than a
  leader attended it).

Freshness: every read-model row carries `version` (the feed position that last wrote it). A
refresh reads, per table, only rows past the last (version, id) seen, and applies them as
upserts (applying a row twice changes nothing); memberships, which the feed also deletes, are
read whole whenever their count or highest version moved. New attendance is merged into the
sorted rows (`searchsorted` + `insert`, no re-sort); a session whose start time or event
changed has its run taken out and merged back at its new place. Every refresh builds a new
`Snapshot` and swaps it in, sharing what did not change: a request keeps the snapshot it
started with. "Now" is applied at ask time: a session counts once it has started.

Not handled incrementally: attendance, sessions, events, people or organizations deleted from
the read model (no feed deletes them); `rebuild()` starts over from the tables, and so does a
refresh that finds a feed cursor wound back (`cascade reach rebuild`).
"""

import asyncio
import bisect
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.engine.reference import equity_flags, local_date, session_hours
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
from services.reach.feeds.models import FeedCursor
from services.reach.readmodel.models import (
    Attendance,
    Event,
    EventSession,
    Membership,
    Organization,
    Person,
)

log = logging.getLogger("cascade.reach.index")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_TIME = int(np.iinfo(np.int64).max)  # a session without a start: ranked last, never counted
FAR = int(np.iinfo(np.int32).max)
NO_DAY = FAR
LOW_DAY = -FAR
CHUNK = 50_000
ANSWERS_KEPT = 16  # per snapshot; an answer is about 13 MB at 300,000 people
FEW_ROWS = 20_000  # new attendance rows placed by a search per session rather than one pass
LENSES = ("high_poverty", "el_serving", "rural")


def micros(at: datetime | None) -> int:
    if at is None:
        return NO_TIME
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at - EPOCH) // timedelta(microseconds=1)


def _instant(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


class _Columns:
    """Numbered things (people, sessions...): an id per number and growable numpy columns."""

    def __init__(self, **spec: tuple[Any, Any]) -> None:
        self.spec = spec
        self.ids: list[str] = []
        self.number: dict[str, int] = {}
        self.cap = 0
        for name, (dtype, fill) in spec.items():
            setattr(self, name, np.full(0, fill, dtype))
        self._grow(1024)

    @property
    def n(self) -> int:
        return len(self.ids)

    def _grow(self, cap: int) -> None:
        for name, (dtype, fill) in self.spec.items():
            new = np.full(cap, fill, dtype)
            new[:self.cap] = getattr(self, name)[:self.cap]
            setattr(self, name, new)
        self.cap = cap

    def of(self, key: str) -> int:
        found = self.number.get(key)
        if found is not None:
            return found
        number = self.number[key] = len(self.ids)
        self.ids.append(key)
        if number >= self.cap:
            self._grow(self.cap * 2)
        return number

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[:self.n]


class _Names:
    """Strings (counties, roles) by code."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.code: dict[str, int] = {}

    def of(self, name: str | None) -> int:
        if name is None:
            return -1
        found = self.code.get(name)
        if found is None:
            found = self.code[name] = len(self.names)
            self.names.append(name)
        return found


@dataclass(frozen=True)
class _Leaders:
    org: np.ndarray
    person: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


class Snapshot:
    """One consistent state of the index: an Engine (people, ask)."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)
        self._admitted: dict[SessionFilter, np.ndarray] = {}
        self._answers: OrderedDict[tuple, Reach] = OrderedDict()
        self._answers_lock = threading.Lock()

    # Set by the builder (see ReachIndex._snapshot): people, clock, org_code, leaders,
    # s_event, s_start, s_day, s_hours, s_held, s_count, order, count_by_rank, start_by_rank,
    # row_off, fac_s, fac_p, e_network, e_direct, e_conf, e_admit, e_held, e_first, r_p,
    # r_pair, pair_person, pair_event, lr_s, lr_p.
    people: People

    def _admitted_sessions(self, sessions: SessionFilter) -> np.ndarray:
        mask = self._admitted.get(sessions)
        if mask is None:
            events = np.fromiter(
                (sessions.admits(subjects=a[0], grade_min=a[1], grade_max=a[2], kind=a[3],
                                 program_id=a[4]) for a in self.e_admit),
                dtype=bool, count=len(self.e_admit))
            mask = self._admitted[sessions] = events[self.s_event]
        return mask

    def ask(self, network_id: str, start: date, end: date,
            sessions: SessionFilter = ALL_SESSIONS, *, now: datetime | None = None) -> Reach:
        """The answer for one network, window and filter. An answer depends on "now" only
        through which sessions have started, so the same question on the same snapshot with
        the same sessions started is computed once (answers are read-only)."""
        # The window's sessions by rank (widened a day each side for time zones; cut to local
        # dates below) that have started.
        t0 = micros(datetime.combine(start, clock_time.min, UTC) - timedelta(days=1))
        t1 = micros(datetime.combine(end, clock_time.min, UTC) + timedelta(days=2))
        r0 = int(np.searchsorted(self.start_by_rank, t0, "left"))
        r1 = int(np.searchsorted(self.start_by_rank, min(t1, micros(now or self.clock())),
                                 "right"))
        r1 = max(r0, r1)
        key = (network_id, start, end, sessions, r1)
        with self._answers_lock:  # asks run in worker threads
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
                return answer
        answer = self._answer(network_id, start, end, sessions, r0, r1)
        for value in vars(answer).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        with self._answers_lock:
            self._answers[key] = answer
            if len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return answer

    def _answer(self, network_id: str, start: date, end: date, sessions: SessionFilter,
                r0: int, r1: int) -> Reach:
        n, count_s = self.people.count, len(self.s_event)
        net = self.org_code.get(network_id, -2)
        d0, d1 = start.toordinal(), end.toordinal()

        lm = ((self.leaders.org == net) & (self.leaders.starts <= d1)
              & (self.leaders.ends >= d0))
        leader = np.zeros(n, dtype=bool)
        leader[self.leaders.person[lm]] = True

        # The sessions of ranks r0..r1 whose local date is in the window and that are admitted.
        sess = self.order[r0:r1]
        seg = self.count_by_rank[r0:r1]
        lo = int(self.row_off[r0])
        day = self.s_day[sess]
        inside = self.s_held[sess] & (day >= d0) & (day <= d1)
        if sessions != ALL_SESSIONS:
            inside &= self._admitted_sessions(sessions)[sess]
        s_in = np.zeros(count_s, dtype=bool)
        s_in[sess[inside]] = True

        ev = self.s_event  # -1 (no event) picks the padding entry at the end
        in_fac = s_in[self.fac_s]
        led_fac = in_fac & leader[self.fac_p]
        has_leader = np.zeros(count_s, dtype=bool)
        has_leader[self.fac_s[led_fac]] = True
        led = s_in & has_leader & (self.e_network[ev] == net)
        direct_s = led & self.e_direct[ev]
        conference_s = led & self.e_conf[ev]
        facilitated_s = np.zeros(count_s, dtype=bool)
        facilitated_s[self.fac_s[in_fac]] = True
        candidate_s = s_in & facilitated_s & ~has_leader

        led_local = (direct_s | conference_s)[sess]
        rp = self.r_p[lo:int(self.row_off[r1])]
        rpair = self.r_pair[lo:int(self.row_off[r1])]
        seg_off = np.concatenate(([0], np.cumsum(seg)))

        # Generation 1: each person's first leader-led session (lowest row = lowest rank).
        led_rows = np.repeat(led_local, seg)
        pos = np.flatnonzero(led_rows)
        first_row = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_row, rp[led_rows], pos)
        first_row[leader] = np.iinfo(np.int64).max
        reached = np.flatnonzero(first_row < np.iinfo(np.int64).max)
        first_s = sess[np.searchsorted(seg_off, first_row[reached], "right") - 1]
        generation = np.zeros(n, dtype=np.int8)
        generation[reached] = 1
        reached_at = np.full(n, NO_TIME, dtype=np.int64)
        reached_at[reached] = self.s_start[first_s]
        reached_by = np.full(n, -1, dtype=np.int32)
        credit = self._credit(self.fac_s[led_fac], self.fac_p[led_fac], count_s)
        reached_by[reached] = credit[first_s]

        # Generations 2+: over the rows of sessions no leader facilitated.
        counted = direct_s | conference_s
        local = np.flatnonzero(candidate_s[sess])
        c_rows = _runs(seg_off[local], seg[local])
        c_s = np.repeat(sess[local], seg[local])
        c_p = rp[c_rows]
        cand_fac = candidate_s[self.fac_s]
        cf_s, cf_p = self.fac_s[cand_fac], self.fac_p[cand_fac]
        frontier = np.zeros(n, dtype=bool)
        frontier[reached] = True
        k = 1
        while True:
            q = frontier[cf_p] & (reached_at[cf_p] < self.s_start[cf_s])
            if not q.any():
                break
            qualifies = np.zeros(count_s, dtype=bool)
            qualifies[cf_s[q]] = True
            counted |= qualifies
            sel = np.flatnonzero(qualifies[c_s] & (generation[c_p] == 0) & ~leader[c_p])
            if not len(sel):
                break
            best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(best, c_p[sel], sel)
            newly = np.flatnonzero(best < np.iinfo(np.int64).max)
            via = c_s[best[newly]]
            k += 1
            generation[newly] = k
            reached_at[newly] = self.s_start[via]
            reached_by[newly] = self._credit(cf_s[q], cf_p[q], count_s)[via]
            frontier = np.zeros(n, dtype=bool)
            frontier[newly] = True

        # Depth: per (person, event) pair, how many counted sessions of the event they came
        # to; most figures are sums over pairs, not over rows.
        cl = counted[sess]
        npairs = len(self.pair_person)
        pc_all = np.bincount(rpair[np.repeat(cl, seg)], minlength=npairs)
        # Only the window's pairs from here on: a short window touches few of them.
        touched = np.flatnonzero(pc_all)
        pc, pp, pe = pc_all[touched], self.pair_person[touched], self.pair_event[touched]
        attendances = np.bincount(pp, weights=pc, minlength=n).astype(np.int32)
        events = np.bincount(pp, minlength=n).astype(np.int32)
        n_events = len(self.e_network)
        per_event = np.bincount(ev[counted], minlength=n_events)
        whole = (pc == per_event[pe]) & (per_event[pe] >= 2)
        completed = np.bincount(pp[whole], minlength=n).astype(np.int32)

        # Hours: a pair's count times its event's session length, where all the event's
        # counted sessions are equally long; the rows themselves for the other events.
        hours_s = self.s_hours
        shortest = np.full(n_events, np.inf)
        longest = np.full(n_events, -np.inf)
        np.minimum.at(shortest, ev[counted], hours_s[counted])
        np.maximum.at(longest, ev[counted], hours_s[counted])
        even = shortest == longest
        hours = np.bincount(pp, weights=pc * np.where(even, shortest, 0.0)[pe], minlength=n)
        uneven = cl & ~even[ev[sess]]
        if uneven.any():
            rows = np.repeat(uneven, seg)
            hours += np.bincount(rp[rows], weights=np.repeat(hours_s[sess][uneven],
                                                             seg[uneven]), minlength=n)

        # Session I of multi-session direct events, and who came back after it.
        number = np.arange(count_s, dtype=np.int32)
        one = (counted & (number == self.e_first[ev]) & self.e_direct[ev]
               & (self.e_held[ev] >= 2))
        one_local = np.flatnonzero(one[sess])
        one_pairs = rpair[_runs(seg_off[one_local], seg[one_local])]
        first_sessions = np.bincount(self.pair_person[one_pairs], minlength=n).astype(np.int32)
        back = one_pairs[pc_all[one_pairs] >= 2]
        returned_after_first = np.bincount(self.pair_person[back],
                                           minlength=n).astype(np.int32)

        # Direct: pairs with a direct session; the counted pair counts serve unless an event
        # mixes leader-led sessions with others counted through the cascade.
        per_event_direct = np.bincount(ev[direct_s], minlength=n_events)
        if ((per_event_direct > 0) & (per_event_direct != per_event)).any():
            pcd = np.bincount(rpair[np.repeat(direct_s[sess], seg)],
                              minlength=npairs)[touched]
        else:
            pcd = np.where(per_event_direct[pe] > 0, pc, 0)
        direct = np.zeros(n, dtype=bool)
        direct[pp[pcd > 0]] = True
        multi = np.zeros(n, dtype=bool)
        multi[pp[(pcd > 0) & (self.e_held[pe] >= 2)]] = True
        returned = np.zeros(n, dtype=bool)
        returned[pp[pcd >= 2]] = True

        facilitated = np.zeros(n, dtype=bool)
        facilitated[self.fac_p[counted[self.fac_s]]] = True
        leader_rows = leader[self.lr_p] & counted[self.lr_s]
        leader_count = np.bincount(self.lr_s[leader_rows], minlength=count_s)
        held_sessions = int(np.count_nonzero(counted & (self.s_count > leader_count)))

        for array in (direct, multi, returned, attendances, hours, events, completed,
                      first_sessions, returned_after_first):
            array[leader] = 0
        return Reach(
            start=start, end=end, leaders=leader, generation=generation, direct=direct,
            direct_multi_session=multi, direct_returned=returned, attendances=attendances,
            hours=hours, events=events, completed=completed, first_sessions=first_sessions,
            returned_after_first=returned_after_first, facilitated=facilitated,
            reached_by=reached_by, sessions=held_sessions)

    def _credit(self, fs: np.ndarray, fp: np.ndarray, count_s: int) -> np.ndarray:
        """Per session, the facilitator among (fs, fp) whose id sorts first."""
        credit = np.full(count_s, -1, dtype=np.int32)
        if not len(fs):
            return credit
        many = np.bincount(fs, minlength=count_s)[fs] > 1
        credit[fs[~many]] = fp[~many]
        ids = self.people.ids
        for s, p in zip(fs[many].tolist(), fp[many].tolist(), strict=True):
            if credit[s] < 0 or ids[p] < ids[credit[s]]:
                credit[s] = p
        return credit


def _runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start..start+length-1 of every run, in order."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    shift = np.repeat(starts - (ends - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift


def _places_in_runs(add_s: np.ndarray, add_p: np.ndarray, rank: np.ndarray, order: np.ndarray,
                    count: np.ndarray, r_p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each (session, person) goes in the rows, and whether it is not there yet, by a
    search in its session's run alone: for a few new rows, not a pass over all of them."""
    offsets = np.concatenate(([0], np.cumsum(count[order])))
    starts = offsets[rank[add_s]]
    ends = starts + count[add_s]
    at = np.empty(len(add_s), dtype=np.int64)
    new = np.empty(len(add_s), dtype=bool)
    for i, (start, end, person) in enumerate(zip(starts.tolist(), ends.tolist(),
                                                 add_p.tolist(), strict=True)):
        run = r_p[start:end]
        j = int(np.searchsorted(run, person))
        at[i] = start + j
        new[i] = j == len(run) or run[j] != person
    return at, new


class IndexNotLoaded(RuntimeError):
    """Asked before the first load finished."""


class ReachIndex:
    """The read model in memory. `await index.refresh()` loads it the first time and brings it
    up to date afterwards; `index.snapshot()` is one consistent Engine; `index.ask` and
    `index.people` answer from the latest one."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 chunk: int = CHUNK) -> None:
        self._sessions = sessions
        self.clock = clock
        self.chunk = chunk
        self._lock = asyncio.Lock()
        self._current: Snapshot | None = None
        self.refreshed_from = float("-inf")  # monotonic time the last refresh began
        self.loading = False
        self._reset()

    # -- reading -------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._current is not None

    def snapshot(self) -> Snapshot:
        if self._current is None:
            raise IndexNotLoaded("the reach index is still loading")
        return self._current

    @property
    def people(self) -> People:
        return self.snapshot().people

    def ask(self, network_id: str, start: date, end: date,
            sessions: SessionFilter = ALL_SESSIONS) -> Reach:
        return self.snapshot().ask(network_id, start, end, sessions)

    async def refresh(self, *, since: float | None = None) -> None:
        """Loads or brings the index up to date. With `since` (a time.monotonic() value), a
        refresh that began at or after it is enough (one in flight is waited for)."""
        async with self._lock:
            if since is not None and self.refreshed_from >= since:
                return
            began = time.monotonic()
            if self._current is None or await self._rewound():
                self.loading = True
                try:
                    await self._load()
                finally:
                    self.loading = False
            else:
                await self._refresh()
            self.refreshed_from = began

    async def rebuild(self) -> None:
        """Forgets everything and loads the read model again."""
        async with self._lock:
            self._reset()
            self._current = None
        await self.refresh()

    async def run(self, interval: float = 1.0) -> None:
        """The background worker: load, then refresh every `interval` seconds."""
        while True:
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reach index refresh failed; trying again")
            await asyncio.sleep(interval)

    # -- state ---------------------------------------------------------------------------

    def _reset(self) -> None:
        self.persons = _Columns(has=(bool, False), role=(np.int32, -1),
                                school=(np.int32, -1), district=(np.int32, -1),
                                county=(np.int32, -1))
        self.person_keys = np.zeros(0, dtype=np.uint32)  # cell keys, hashed once per person
        self.orgs = _Columns(exists=(bool, False), truthy=(bool, False),
                             parent=(np.int32, -1), county=(np.int32, -1),
                             high_poverty=(np.int8, -1), el_serving=(np.int8, -1),
                             rural=(np.int8, -1))
        self.org_names: list[str] = []
        self.counties, self.roles = _Names(), _Names()
        self.events = _Columns(exists=(bool, False), network=(np.int32, -1),
                               direct=(bool, False), conf=(bool, False))
        self.event_tz: list[str | None] = []
        self.event_admit: list[tuple] = []
        self.sessions = _Columns(event=(np.int32, -1), start=(np.int64, NO_TIME),
                                 hours=(np.float64, 0.0), cancelled=(bool, False),
                                 day=(np.int32, NO_DAY), count=(np.int64, 0))
        self.session_key: list[tuple[int, str]] = []
        self.order: list[int] = []
        self.fac_s = np.zeros(0, dtype=np.int32)
        self.fac_p = np.zeros(0, dtype=np.int32)
        self.memberships: dict[str, tuple[int, int, str, int, int]] = {}
        self.membership_mark: tuple[int, int] | None = None
        self.leader_ever = np.zeros(0, dtype=bool)
        # Rows: sorted by (rank of session, person); count_by_rank gives each session's run.
        self.rank = np.zeros(0, dtype=np.int32)
        self.r_p = np.zeros(0, dtype=np.int32)
        self.r_pair = np.zeros(0, dtype=np.int32)
        # (person, event) pairs: number 0 is "no event" (rows of a session with no event yet).
        self.pair_keys = np.zeros(0, dtype=np.int64)  # sorted event * 2**32 + person
        self.pair_of_key = np.zeros(0, dtype=np.int32)
        self.pair_person = np.zeros(1, dtype=np.int32)
        self.pair_event = np.full(1, -1, dtype=np.int32)
        self.cursors: dict[str, tuple[int, str]] = {}
        self.rebuilds = 0  # the read model's rebuilds seen (see FeedCursor.rebuilds)
        self._pending_s: list[np.ndarray] = []
        self._pending_p: list[np.ndarray] = []
        self._old_order = np.zeros(0, dtype=np.int32)
        self._relocating: set[int] = set()
        self._changed_sessions: set[int] = set()
        self._changed_events: set[int] = set()
        self._resort = False  # self.order is out of order until the next _sort_sessions
        self._bulk = False  # a first load: sessions are sorted once at the end
        # People (their places) are rebuilt only when people or organizations changed.
        self._people_cache = People(count=-1, ids=(), places={}, keys=self.person_keys)
        self._people_changed = True

    def _org(self, org_id: str | None) -> int:
        if org_id is None:
            return -1
        known = len(self.orgs.ids)
        code = self.orgs.of(org_id)
        if code == known:
            self.org_names.append("")
            self.orgs.truthy[code] = bool(org_id)
        return code

    def _event(self, event_id: str) -> int:
        known = self.events.n
        number = self.events.of(event_id)
        if number == known:
            self.event_tz.append(None)
            self.event_admit.append((None, None, None, "", None))
        return number

    def _session(self, session_id: str) -> int:
        known = self.sessions.n
        number = self.sessions.of(session_id)
        if number == known:
            self.session_key.append((NO_TIME, session_id))
            if self._bulk or self._resort:
                self.order.append(number)
                self._resort = True
            else:
                bisect.insort(self.order, number, key=self.session_key.__getitem__)
        return number

    # -- loading -------------------------------------------------------------------------

    async def _marks(self, db: AsyncSession) -> dict[str, tuple[int, str]]:
        """Per table, the (version, id) cursor of its last row: where a refresh goes on from
        after a load (a row written meanwhile is read twice, which changes nothing)."""
        marks = {}
        for name, table in _TABLES.items():
            version = (await db.exec(select(func.max(table.version)))).one()[0] or 0
            last = (await db.exec(select(func.max(table.id))
                                  .where(table.version == version))).one()[0] or ""
            marks[name] = (version, last)
        return marks

    async def _rebuilds(self, db: AsyncSession) -> int:
        return (await db.exec(select(func.coalesce(func.sum(FeedCursor.rebuilds), 0)))).one()[0]

    async def _rewound(self) -> bool:
        """Whether `cascade reach rebuild` ran since the last look: it writes rows again with
        the versions they had, so only a new load sees what they say now. The figures answer
        from the old snapshot meanwhile."""
        async with self._sessions() as db:
            rebuilds = await self._rebuilds(db)
        return rebuilds != self.rebuilds

    async def _read(self, query) -> list:
        """One chunk of rows in a transaction of its own: on SQLite every transaction holds
        the write lock (shared/db.py), and a load of 10 million rows takes minutes."""
        async with self._sessions() as db:
            return (await db.exec(query)).all()

    async def _load(self) -> None:
        self._reset()
        self._bulk = True
        # Marks first: a row written while the load reads gets a later version, which the
        # next refresh reads again (applying a row twice changes nothing).
        async with self._sessions() as db:
            self.rebuilds = await self._rebuilds(db)
            marks = await self._marks(db)
        for name, table in _TABLES.items():
            if name == "membership":
                continue
            last = ""
            while True:
                rows = await self._read(select(*_columns(table)).where(table.id > last)
                                        .order_by(table.id).limit(self.chunk))
                if not rows:
                    break
                self._apply(name, rows)
                last = rows[-1][0]
            self.cursors[name] = marks[name]
        async with self._sessions() as db:
            await self._reload_memberships(db)
        await asyncio.to_thread(self._settle_load)

    def _settle_load(self) -> None:
        self._bulk = False
        self._finish_refresh()

    async def _refresh(self) -> None:
        changed: dict[str, bool] = {}
        for name, table in _TABLES.items():
            if name == "membership":
                continue
            version, last = self.cursors[name]
            while True:
                rows = await self._read(
                    select(*_columns(table))
                    # The bound on version alone is what lets the version index be used: as
                    # one OR, SQLite and PostgreSQL scan the whole table.
                    .where(table.version >= version, or_(table.version > version,
                                                         table.id > last))
                    .order_by(table.version, table.id).limit(self.chunk))
                if not rows:
                    break
                changed[name] = True
                self._apply(name, rows)
                version, last = rows[-1][-1], rows[-1][0]
            self.cursors[name] = (version, last)
        async with self._sessions() as db:
            changed["membership"] = await self._reload_memberships(db)
        if not any(changed.values()):
            return
        self._finish_refresh()

    def _finish_refresh(self) -> None:
        count = self.sessions.count
        relocate = [s for s in self._relocating if count[s] > 0]
        self._relocating = set()
        if self._resort:
            self._sort_sessions()
        self._resort = False
        self._place_rows(np.array(relocate, dtype=np.int32))
        self._current = self._snapshot()

    async def _reload_memberships(self, db: AsyncSession) -> bool:
        mark = tuple((await db.exec(
            select(func.count(), func.max(Membership.version)))).one())
        if mark == self.membership_mark:
            return False
        memberships = {}
        last = ""
        while True:
            rows = (await db.exec(
                select(*_columns(Membership)).where(Membership.id > last)
                .order_by(Membership.id).limit(self.chunk))).all()
            if not rows:
                break
            for mid, org, pid, role, starts, ends, _ in rows:
                memberships[mid] = (self._org(org), self.persons.of(pid), role,
                                    starts.toordinal() if starts else LOW_DAY,
                                    ends.toordinal() if ends else FAR)
            last = rows[-1][0]
        self.memberships = memberships
        self.membership_mark = mark
        return True

    # -- applying rows ---------------------------------------------------------------------

    def _apply(self, name: str, rows) -> None:
        if name == "organization":
            self._apply_orgs(rows)
        elif name == "person":
            self._apply_people(rows)
        elif name == "event":
            self._apply_events(rows)
        elif name == "event_session":
            self._apply_sessions(rows)
        else:
            self._apply_attendance(rows)

    def _apply_orgs(self, rows) -> None:
        self._people_changed = True
        orgs = self.orgs
        for oid, name, parent, county, attributes, _ in rows:
            code = self._org(oid)
            parent_code = self._org(parent)
            orgs.exists[code] = True
            orgs.parent[code] = parent_code
            orgs.county[code] = self.counties.of(county)
            self.org_names[code] = name or ""
            flags = equity_flags(attributes or {})
            for lens in LENSES:
                getattr(orgs, lens)[code] = -1 if flags[lens] is None else int(flags[lens])

    def _apply_people(self, rows) -> None:
        self._people_changed = True
        persons = self.persons
        for pid, role, school, district, county, _ in rows:
            number = persons.of(pid)
            school_code, district_code = self._org(school), self._org(district)
            persons.has[number] = True
            persons.role[number] = self.roles.of(role)
            persons.school[number] = school_code
            persons.district[number] = district_code
            persons.county[number] = self.counties.of(county)

    def _apply_events(self, rows) -> None:
        events = self.events
        for (eid, network, kind, tz, subjects, grade_min, grade_max, program, _) in rows:
            number = self._event(eid)
            network_code = self._org(network) if network is not None else -1
            events.exists[number] = True
            events.network[number] = network_code
            events.direct[number] = kind in DIRECT_KINDS
            events.conf[number] = kind in CONFERENCE_KINDS
            if self.event_tz[number] != tz:
                self._changed_events.add(number)
            self.event_tz[number] = tz
            self.event_admit[number] = (subjects, grade_min, grade_max, kind, program)
            self._changed_events.add(number)

    def _apply_sessions(self, rows) -> None:
        sessions = self.sessions
        changed_fac: dict[int, list[str]] = {}
        for sid, eid, starts_at, ends_at, facilitators, status, _ in rows:
            number = self._session(sid)
            event = self._event(eid)
            start = micros(starts_at)
            old_key = self.session_key[number]
            if old_key[0] != start:
                self._relocating.add(number)
                if self._bulk or self._resort or len(rows) > 2000:
                    self._resort = True
                    self.session_key[number] = (start, sid)
                else:
                    position = bisect.bisect_left(self.order, old_key,
                                                  key=self.session_key.__getitem__)
                    del self.order[position]
                    self.session_key[number] = (start, sid)
                    bisect.insort(self.order, number, key=self.session_key.__getitem__)
            if sessions.event[number] != event:
                if sessions.event[number] >= 0:
                    self._relocating.add(number)
                sessions.event[number] = event
            sessions.start[number] = start
            sessions.hours[number] = (session_hours(starts_at, ends_at)
                                      if starts_at is not None else 0.0)
            sessions.cancelled[number] = status == "cancelled"
            changed_fac[number] = facilitators or []
        self._changed_sessions |= set(changed_fac)
        numbers = np.fromiter(changed_fac, dtype=np.int32, count=len(changed_fac))
        keep = ~np.isin(self.fac_s, numbers)
        new_s = [s for s, people in changed_fac.items() for _ in people]
        new_p = [self.persons.of(p) for people in changed_fac.values() for p in people]
        self.fac_s = np.concatenate((self.fac_s[keep], np.array(new_s, dtype=np.int32)))
        self.fac_p = np.concatenate((self.fac_p[keep], np.array(new_p, dtype=np.int32)))

    def _apply_attendance(self, rows) -> None:
        session_of, person_of = self._session, self.persons.of
        self._pending_s.append(np.fromiter((session_of(r[1]) for r in rows), dtype=np.int32,
                                           count=len(rows)))
        self._pending_p.append(np.fromiter((person_of(r[2]) for r in rows), dtype=np.int32,
                                           count=len(rows)))

    # -- derived structures ----------------------------------------------------------------

    def _sort_sessions(self) -> None:
        self.order = sorted(range(self.sessions.n), key=self.session_key.__getitem__)

    def _place_rows(self, relocating: np.ndarray) -> None:
        """Merges pending attendance (and the rows of relocated sessions) into the sorted rows,
        one row per (session, person)."""
        sessions = self.sessions
        count = sessions.view("count")
        old_order = self._old_order
        order = np.array(self.order, dtype=np.int32)
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        add_s = (np.concatenate(self._pending_s) if self._pending_s
                 else np.zeros(0, dtype=np.int32))
        add_p = (np.concatenate(self._pending_p) if self._pending_p
                 else np.zeros(0, dtype=np.int32))
        self._pending_s, self._pending_p = [], []
        r_p, r_pair = self.r_p, self.r_pair
        if len(relocating) and len(r_p):
            row_s = np.repeat(old_order, count[old_order])
            moving = np.zeros(sessions.n, dtype=bool)
            moving[relocating] = True
            out = moving[row_s]
            add_s = np.concatenate((add_s, row_s[out]))
            add_p = np.concatenate((add_p, r_p[out]))
            count[relocating] = 0
            r_p, r_pair = r_p[~out], r_pair[~out]
        if len(add_s):
            key = rank[add_s].astype(np.int64) << 32 | add_p.astype(np.int64)
            key, first = np.unique(key, return_index=True)
            add_s, add_p = add_s[first], add_p[first]
            del first
            if not len(r_p):  # the first load: the rows are the sorted additions
                del key
                r_p, r_pair = add_p, self._pairs(add_p, sessions.event[add_s])
            else:
                # The rows are in the new order already (sessions that moved were taken out,
                # new ones have none yet): each session's run starts at its rank's offset.
                if len(add_s) <= FEW_ROWS:
                    at, new = _places_in_runs(add_s, add_p, rank, order, count, r_p)
                else:
                    main = np.repeat(rank[order], count[order]).astype(np.int64) << 32 | r_p
                    at = np.searchsorted(main, key)
                    new = main[np.minimum(at, len(main) - 1)] != key
                    new |= at >= len(main)
                    del main
                del key
                at, add_s, add_p = at[new], add_s[new], add_p[new]
                add_pair = self._pairs(add_p, sessions.event[add_s])
                r_p = np.insert(r_p, at, add_p)
                r_pair = np.insert(r_pair, at, add_pair)
            count += np.bincount(add_s, minlength=len(count))
        self.r_p, self.r_pair = r_p, r_pair
        self.rank = rank
        self._old_order = order

    def _pairs(self, people: np.ndarray, events: np.ndarray) -> np.ndarray:
        """The (person, event) pair number of each row, new pairs numbered as they come."""
        pairs = np.zeros(len(people), dtype=np.int32)
        has = events >= 0
        key = events[has].astype(np.int64) << 32 | people[has].astype(np.int64)
        unique, inverse = np.unique(key, return_inverse=True)
        at = np.searchsorted(self.pair_keys, unique)
        known = (at < len(self.pair_keys)) & (
            self.pair_keys[np.minimum(at, max(len(self.pair_keys) - 1, 0))] == unique
        ) if len(self.pair_keys) else np.zeros(len(unique), dtype=bool)
        numbers = np.empty(len(unique), dtype=np.int32)
        numbers[known] = self.pair_of_key[at[known]]
        fresh = unique[~known]
        first = len(self.pair_person)
        numbers[~known] = np.arange(first, first + len(fresh), dtype=np.int32)
        self.pair_person = np.concatenate((self.pair_person, (fresh & 0xFFFFFFFF).astype(
            np.int32)))
        self.pair_event = np.concatenate((self.pair_event, (fresh >> 32).astype(np.int32)))
        where = np.searchsorted(self.pair_keys, fresh)
        self.pair_keys = np.insert(self.pair_keys, where, fresh)
        self.pair_of_key = np.insert(self.pair_of_key, where, numbers[~known])
        pairs[has] = numbers[inverse]
        return pairs

    def _snapshot(self) -> Snapshot:
        sessions, events = self.sessions, self.events
        # Local dates: of sessions whose start or event (time zone) changed.
        changed = self._changed_sessions
        self._changed_sessions = set()
        if self._changed_events:
            of_events = np.flatnonzero(np.isin(sessions.view("event"),
                                               np.fromiter(self._changed_events, np.int32)))
            changed |= set(of_events.tolist())
            self._changed_events = set()
        for number in changed:
            start, event = int(sessions.start[number]), int(sessions.event[number])
            placed = start != NO_TIME and event >= 0 and events.exists[event]
            sessions.day[number] = (local_date(_instant(start), self.event_tz[event])
                                    .toordinal() if placed else NO_DAY)
        s_event = sessions.view("event").copy()
        s_start = sessions.view("start").copy()
        s_count = sessions.view("count").copy()
        # Event columns get one padding entry at the end: what event -1 (none yet) reads.
        held = (np.append(events.view("exists"), False)[s_event] & (s_start != NO_TIME)
                & ~sessions.view("cancelled"))
        order = self._old_order
        rank = self.rank
        count_by_rank = s_count[order]
        e_held = np.bincount(s_event[held], minlength=events.n + 1).astype(np.int32)
        first_rank = np.full(events.n, FAR, dtype=np.int32)
        np.minimum.at(first_rank, s_event[held], rank[held])
        e_first = np.full(events.n + 1, -1, dtype=np.int32)
        found = np.flatnonzero(first_rank < FAR)
        e_first[found] = order[first_rank[found]]
        if self._people_changed or self._people_cache.count != self.persons.n:
            self._people_cache = self._people()
            self._people_changed = False
        people = self._people_cache
        leaders = [m for m in self.memberships.values() if m[2] == "leader"]
        leader_ever = np.zeros(people.count, dtype=bool)
        leader_ever[[m[1] for m in leaders]] = True
        row_s = np.repeat(order, count_by_rank)
        aside = leader_ever[self.r_p]
        return Snapshot(
            people=people, clock=self.clock, org_code=self.orgs.number,
            leaders=_Leaders(org=np.array([m[0] for m in leaders], dtype=np.int32),
                             person=np.array([m[1] for m in leaders], dtype=np.int32),
                             starts=np.array([m[3] for m in leaders], dtype=np.int64),
                             ends=np.array([m[4] for m in leaders], dtype=np.int64)),
            s_event=s_event, s_start=s_start, s_day=sessions.view("day").copy(),
            s_hours=sessions.view("hours").copy(), s_held=held, s_count=s_count,
            order=order, count_by_rank=count_by_rank, start_by_rank=s_start[order],
            row_off=np.concatenate(([0], np.cumsum(count_by_rank))),
            fac_s=self.fac_s, fac_p=self.fac_p,
            e_network=np.append(events.view("network"), -1),
            e_direct=np.append(events.view("direct"), False),
            e_conf=np.append(events.view("conf"), False),
            e_admit=(*self.event_admit, (None, None, None, "", None)),
            e_held=e_held, e_first=e_first, r_p=self.r_p, r_pair=self.r_pair,
            pair_person=self.pair_person, pair_event=self.pair_event,
            lr_s=row_s[aside], lr_p=self.r_p[aside])

    def _people(self) -> People:
        persons, orgs = self.persons, self.orgs
        n = persons.n
        has = persons.view("has")
        # Whole columns (never empty): a code past the last organization reads the fill.
        exists, truthy = orgs.exists, orgs.truthy

        def pick(column: np.ndarray, codes: np.ndarray) -> np.ndarray:
            return np.where(codes >= 0, column[np.maximum(codes, 0)], -1)

        def organization(codes: np.ndarray) -> np.ndarray:
            return np.where((codes >= 0) & pick(truthy, codes).astype(bool)
                            & pick(exists, codes).astype(bool), codes, -1)

        def given(codes: np.ndarray, strings: list[str]) -> np.ndarray:
            filled = np.array([bool(s) for s in strings] + [False], dtype=bool)
            return filled[codes]  # -1 picks the last, False

        school = np.where(has, persons.view("school"), -1)
        school_org = organization(school)
        own_district = np.where(has, persons.view("district"), -1)
        district = np.where((own_district >= 0) & pick(truthy, own_district).astype(bool),
                            own_district, pick(orgs.parent, school_org))
        district_org = organization(district)
        own, of_school = np.where(has, persons.view("county"), -1), pick(orgs.county,
                                                                         school_org)
        of_district = pick(orgs.county, district_org)
        names = self.counties.names
        county = np.where(given(own, names), own,
                          np.where(given(of_school, names), of_school, of_district))
        role = np.where(has, persons.view("role"), -1)
        org_names, org_ids = self.org_names, orgs.ids

        def label(code: int) -> str:
            return org_names[code] if exists[code] and org_names[code] else org_ids[code]

        places = {
            "school": _places(school, org_ids, label),
            "district": _places(district, org_ids, label),
            "county": _places(county, names),
            "role": _places(role, self.roles.names),
        }
        for lens in LENSES:
            flag = pick(getattr(orgs, lens), school_org)
            flag = np.where(flag < 0, pick(getattr(orgs, lens), district_org), flag)
            places[lens] = _places(flag.astype(np.int32), ["no", "yes"])
        if self.person_keys.size < n:
            self.person_keys = np.concatenate(
                [self.person_keys, person_keys(persons.ids[self.person_keys.size:n])])
        return People(count=n, ids=tuple(persons.ids), places=places,
                      keys=self.person_keys[:n])


def _places(values: np.ndarray, names: list[str],
            label: Callable[[int], str] | None = None) -> Places:
    present = np.unique(values[values >= 0]).tolist()
    present.sort(key=names.__getitem__)
    remap = np.full(len(names) + 1, NOT_RECORDED, dtype=np.int32)
    remap[present] = np.arange(len(present), dtype=np.int32)
    keys = tuple(names[c] for c in present)
    labels = tuple(label(c) for c in present) if label else keys
    return Places(codes=remap[values].astype(np.int32), keys=keys, labels=labels)


_TABLES = {"organization": Organization, "person": Person, "event": Event,
           "event_session": EventSession, "attendance": Attendance, "membership": Membership}


def _columns(table) -> tuple:
    """What the index reads of each table, id first and version last."""
    names = {
        "organization": ("id", "name", "parent_id", "county", "attributes"),
        "person": ("id", "role", "school_id", "district_id", "county"),
        "event": ("id", "network_id", "kind", "timezone", "subjects", "grade_min",
                  "grade_max", "program_id"),
        "event_session": ("id", "event_id", "starts_at", "ends_at", "facilitator_ids",
                          "status"),
        "attendance": ("id", "session_id", "person_id"),
        "membership": ("id", "organization_id", "person_id", "role", "starts_on", "ends_on"),
    }[table.__tablename__]
    return (*(getattr(table, n) for n in names), table.version)
