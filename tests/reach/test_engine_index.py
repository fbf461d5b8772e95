"""The maintained index (services/reach/engine/index.py) answers exactly what the plain
reference engine answers, on random networks written straight into the read model: several
networks, leaders attending each other's sessions, people who move schools, cancelled and
future sessions, cascades several generations deep, and every session filter; and it stays
exact as rows are added, changed and deleted after it loaded."""

import asyncio
import random
from datetime import UTC, date, datetime, timedelta

import httpx
import numpy as np
import pytest

from services.reach.engine import index as index_module
from services.reach.engine.index import ReachIndex
from services.reach.engine.provider import EngineDep
from services.reach.engine.reference import ReferenceEngine
from services.reach.engine.result import ALL_SESSIONS, SessionFilter
from services.reach.main import create_app
from services.reach.readmodel import repository
from services.reach.readmodel.models import (
    Attendance,
    Event,
    EventSession,
    Membership,
    Organization,
    Person,
)
from services.reach.settings import ReachSettings
from shared.db import create_engine, session_factory
from tests.support.stack import eventually

NOW = datetime(2027, 3, 15, 18, 0, tzinfo=UTC)
NETWORKS = ("net-a", "net-b", "net-c")
KINDS = ("workshop_series", "institute", "coaching_cycle", "community_of_practice",
         "lesson_study", "conference", "webinar", "presentation", "office_hours")
ZONES = ("America/Los_Angeles", "America/New_York", "Pacific/Honolulu", None, "Not/AZone")
SUBJECTS = ("math", "ela", "science", "eld")
PROGRAMS = (None, "prog-1", "prog-2")
ARRAYS = ("leaders", "generation", "direct", "direct_multi_session", "direct_returned",
          "attendances", "events", "completed", "first_sessions", "returned_after_first",
          "facilitated")
FILTERS = (ALL_SESSIONS, SessionFilter(subject="math"), SessionFilter(grades=(3, 5)),
           SessionFilter(event_kind="workshop_series"), SessionFilter(program_id="prog-1"),
           SessionFilter(subject="ela", grades=(6, 8)))


@pytest.fixture
async def sessions(database_urls):
    engine = create_engine(database_urls["reach"], schema="reach")
    yield session_factory(engine)
    await engine.dispose()


class Writer:
    """Writes the read model as the feed consumer does: each row with the next feed position."""

    def __init__(self, sessions) -> None:
        self.sessions = sessions
        self.version = 0

    async def put(self, rows: list[tuple[type, dict]]) -> None:
        async with self.sessions() as db:
            for model, values in rows:
                self.version += 1
                await repository.upsert(db, model, values, version=self.version)
            await db.commit()

    async def delete(self, model: type, row_id: str) -> None:
        async with self.sessions() as db:
            await repository.delete(db, model, row_id)
            await db.commit()


class RandomNetwork:
    """A random read model; `rows()` gives everything to write, `more()` a later batch of
    changes (new attendance, people moving, sessions moved or cancelled, new leaders)."""

    def __init__(self, seed: int, *, people: int = 70, events: int = 24) -> None:
        self.rng = rng = random.Random(seed)  # noqa: S311 (test data)
        self.schools = [f"sch-{i}" for i in range(8)]
        self.districts = [f"dst-{i}" for i in range(3)]
        self.people = [f"p{i:03d}" for i in range(people)]
        self.leaders = {net: rng.sample(self.people[:20], 4) for net in NETWORKS}
        self.events: list[str] = []
        self.sessions: dict[str, tuple[str, datetime]] = {}
        self.facilitators: dict[str, list[str]] = {}
        self.attendance = 0
        self.event_count = events

    def organizations(self) -> list[tuple[type, dict]]:
        rng, rows = self.rng, []
        for net in NETWORKS:
            rows.append((Organization, {"id": net, "name": f"Network {net}", "kind": "network"}))
        for i, district in enumerate(self.districts):
            attributes = rng.choice([{}, {"frpl_pct": 70}, {"high_poverty": False},
                                     {"locale": "Rural", "el_pct": 30}])
            rows.append((Organization, {"id": district, "name": f"District {i}",
                                        "kind": "district", "county": ["Fresno", "Kern",
                                                                       None][i],
                                        "attributes": attributes}))
        for i, school in enumerate(self.schools):
            attributes = rng.choice([{}, {"frpl_pct": 40}, {"el_pct": "12"},
                                     {"rural": True}, {"frpl_pct": "n/a"}])
            rows.append((Organization, {
                "id": school, "name": rng.choice([f"School {i}", ""]), "kind": "school",
                "parent_id": rng.choice(self.districts + [None]),
                "county": rng.choice([None, None, "Tulare"]), "attributes": attributes}))
        return rows

    def person(self, pid: str) -> tuple[type, dict]:
        rng = self.rng
        return (Person, {
            "id": pid, "role": rng.choice(["teacher", "teacher", "coach_tosa", None]),
            "school_id": rng.choice(self.schools + [None, "sch-unknown"]),
            "district_id": rng.choice([None, None, None] + self.districts),
            "county": rng.choice([None, None, None, None, "Madera"])})

    def memberships(self) -> list[tuple[type, dict]]:
        rows = []
        for net, leaders in self.leaders.items():
            for j, pid in enumerate(leaders):
                starts = [None, date(2025, 7, 1), date(2026, 1, 1), date(2026, 9, 1)][j % 4]
                ends = [None, date(2026, 6, 30), None, date(2027, 1, 31)][(j + 1) % 4]
                rows.append((Membership, {"id": f"m-{net}-{pid}", "organization_id": net,
                                          "person_id": pid, "role": "leader",
                                          "starts_on": starts, "ends_on": ends}))
            rows.append((Membership, {"id": f"mm-{net}", "organization_id": net,
                                      "person_id": f"member-only-{net}", "role": "member"}))
        return rows

    def event(self, eid: str) -> tuple[type, dict]:
        rng = self.rng
        low = rng.choice([None, -1, 0, 3, 6, 9])
        return (Event, {
            "id": eid, "network_id": rng.choice([*NETWORKS, None]),
            "kind": rng.choice(KINDS), "timezone": rng.choice(ZONES),
            "subjects": rng.sample(SUBJECTS, rng.randint(0, 2)),
            "grade_min": low, "grade_max": None if low is None else low + rng.randint(0, 4),
            "program_id": rng.choice(PROGRAMS)})

    def session_rows(self, eid: str, count: int) -> list[tuple[type, dict]]:
        rng, rows = self.rng, []
        leaders = [p for ls in self.leaders.values() for p in ls]
        for _ in range(count):
            sid = f"{eid}-s{len(self.sessions):04d}"
            start = (datetime(2025, 8, 1, tzinfo=UTC)
                     + timedelta(days=rng.randint(0, 760), hours=rng.choice([0, 7, 16, 23]),
                                 minutes=rng.choice([0, 0, 30, 50])))
            if rng.random() < 0.05:
                start = self.sessions[rng.choice(list(self.sessions))][1] if self.sessions \
                    else start  # two sessions at the same instant
            who = rng.choice([[rng.choice(leaders)], [rng.choice(self.people)],
                              [rng.choice(self.people), rng.choice(self.people)],
                              [rng.choice(leaders), rng.choice(self.people)], []])
            self.sessions[sid] = (eid, start)
            self.facilitators[sid] = who
            ends = start + timedelta(minutes=rng.choice([50, 90, 180, 360]))
            rows.append((EventSession, {
                "id": sid, "event_id": eid, "starts_at": start,
                "ends_at": rng.choice([ends, ends, ends, None]), "facilitator_ids": who,
                "status": "cancelled" if rng.random() < 0.08 else "scheduled"}))
        return rows

    def attendance_rows(self, count: int) -> list[tuple[type, dict]]:
        rng, rows = self.rng, []
        sids = list(self.sessions)
        for _ in range(count):
            sid = rng.choice(sids) if rng.random() > 0.02 else "s-never-seen"
            pid = rng.choice(self.people + ["ghost-1", "ghost-2"])
            self.attendance += 1
            rows.append((Attendance, {"id": f"a{self.attendance:06d}", "session_id": sid,
                                      "event_id": self.sessions.get(sid, ("?",))[0],
                                      "person_id": pid}))
            if rng.random() < 0.05:  # the same person again (a sheet and a check-in)
                self.attendance += 1
                rows.append((Attendance, {"id": f"a{self.attendance:06d}", "session_id": sid,
                                          "event_id": None, "person_id": pid}))
        return rows

    def rows(self) -> list[tuple[type, dict]]:
        rng = self.rng
        rows = self.organizations() + [self.person(p) for p in self.people]
        rows += self.memberships()
        for i in range(self.event_count):
            eid = f"ev-{i:03d}"
            self.events.append(eid)
            rows.append(self.event(eid))
            rows += self.session_rows(eid, rng.choice([1, 2, 2, 3, 4]))
        rows.append((EventSession, {"id": "s-orphan", "event_id": "ev-missing",
                                    "starts_at": datetime(2026, 10, 1, tzinfo=UTC),
                                    "ends_at": None, "facilitator_ids": [self.people[0]]}))
        return rows + self.attendance_rows(len(self.sessions) * 12)

    def more(self) -> list[tuple[type, dict]]:
        rng = self.rng
        rows = [self.person(p) for p in rng.sample(self.people, 10)]  # people move schools
        rows += [self.person(f"new-{i}-{self.attendance}") for i in range(3)]
        for sid in rng.sample(list(self.sessions), 6):  # sessions moved, cancelled, restored
            eid, start = self.sessions[sid]
            start += timedelta(days=rng.choice([-40, -3, 0, 2, 30]))
            self.sessions[sid] = (eid, start)
            rows.append((EventSession, {
                "id": sid, "event_id": eid, "starts_at": start,
                "ends_at": start + timedelta(hours=2), "status": rng.choice(
                    ["scheduled", "cancelled"]),
                "facilitator_ids": rng.choice([self.facilitators[sid], [rng.choice(
                    self.people)]])}))
        eid = rng.choice(self.events)
        rows.append(self.event(eid))  # an event changes kind, zone, network or subjects
        new = f"ev-late-{self.attendance}"
        self.events.append(new)
        rows += self.session_rows(new, 2)  # sessions before their event arrives
        rows.append(self.event(new))
        rows += self.attendance_rows(60)
        rows.append((EventSession, {"id": "s-never-seen", "event_id": eid,
                                    "starts_at": datetime(2026, 11, 3, 17, tzinfo=UTC),
                                    "ends_at": datetime(2026, 11, 3, 19, tzinfo=UTC),
                                    "facilitator_ids": [rng.choice(self.people)]}))
        leader = rng.choice(self.people[20:])
        rows.append((Membership, {"id": f"m-late-{leader}", "organization_id": "net-b",
                                  "person_id": leader, "role": "leader",
                                  "starts_on": date(2026, 1, 1)}))
        return rows


WINDOWS = [(date(2025, 7, 1), date(2027, 6, 30)), (date(2026, 7, 1), date(2027, 6, 30)),
           (date(2025, 8, 1), date(2026, 6, 30)), (date(2026, 9, 10), date(2026, 10, 16)),
           (date(2027, 3, 1), date(2027, 3, 31)), (date(2024, 1, 1), date(2024, 2, 1))]


def assert_same(reference: ReferenceEngine, index, *, windows=WINDOWS, filters=FILTERS,
                networks=NETWORKS) -> int:
    """Every array of every answer, and every place, equal once person numbers are mapped."""
    ref_people, people = reference.people, index.people
    mine = {pid: n for n, pid in enumerate(people.ids)}
    assert len(mine) == people.count
    assert set(ref_people.ids) <= set(mine)
    mapped = np.array([mine[pid] for pid in ref_people.ids], dtype=np.int64)
    extra = np.setdiff1d(np.arange(people.count), mapped)
    for dimension, places in ref_people.places.items():
        got = people.places[dimension]
        assert got.keys == places.keys, dimension
        assert got.labels == places.labels, dimension
        assert np.array_equal(got.codes[mapped], places.codes), dimension
        assert (got.codes[extra] == -1).all(), dimension
    asked = 0
    for network in networks:
        for start, end in windows:
            for sessions in filters:
                expected = reference.ask(network, start, end, sessions)
                got = index.ask(network, start, end, sessions, now=NOW)
                where = (network, start, end, sessions)
                for name in ARRAYS:
                    a, b = getattr(got, name), getattr(expected, name)
                    assert a.dtype == b.dtype, (name, where)
                    assert np.array_equal(a[mapped], b), (name, where)
                    assert not a[extra].any(), (name, where)
                ids = np.array(people.ids + ("-",), dtype=object)
                ref_ids = np.array(ref_people.ids + ("-",), dtype=object)
                assert (ids[got.reached_by[mapped]] == ref_ids[expected.reached_by]).all(), \
                    ("reached_by", where)
                # Sums of session hours, added in another order: equal to the last bits.
                np.testing.assert_allclose(got.hours[mapped], expected.hours, rtol=1e-12)
                assert got.sessions == expected.sessions, ("sessions", where)
                asked += 1
    return asked


async def reference(sessions, now=NOW) -> ReferenceEngine:
    async with sessions() as db:
        return await ReferenceEngine.load(db, now=now)


async def fresh_index(sessions, **kwargs) -> ReachIndex:
    index = ReachIndex(sessions, clock=lambda: NOW, chunk=97, **kwargs)
    await index.refresh()
    return index


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_index_answers_what_the_reference_answers(sessions, seed):
    network = RandomNetwork(seed)
    await Writer(sessions).put(network.rows())

    index = await fresh_index(sessions)
    ref = await reference(sessions)

    assert ref.ask("net-a", *WINDOWS[0]).reached.sum() > 5  # the network reaches people
    assert assert_same(ref, index.snapshot()) == len(NETWORKS) * len(WINDOWS) * len(FILTERS)


async def test_deep_cascades_and_leaders_in_each_others_sessions(sessions):
    """A chain L -> A -> B -> C -> D, each trained after the one before was reached; a leader
    who attends another leader's workshop is never reached; D led before being reached."""
    writer = Writer(sessions)
    day = datetime(2026, 9, 1, 16, tzinfo=UTC)
    rows = [(Organization, {"id": "net", "name": "N", "kind": "network"})]
    rows += [(Membership, {"id": f"m{x}", "organization_id": "net", "person_id": x,
                           "role": "leader"}) for x in ("L", "M")]
    rows += [(Event, {"id": "e", "network_id": "net", "kind": "workshop_series",
                      "timezone": "America/Los_Angeles"}),
             (Event, {"id": "f", "network_id": None, "kind": "community_of_practice"})]
    chain = [("s1", "e", ["L"], ["A", "M", "A2"]), ("s2", "f", ["A"], ["B"]),
             ("s0", "f", ["D"], ["Z"]), ("s3", "f", ["B"], ["C"]), ("s4", "f", ["C"], ["D"]),
             ("s5", "f", ["A2", "A"], ["E", "B"])]
    for i, (sid, eid, who, came) in enumerate(chain):
        start = day + timedelta(days=10 * i) if sid != "s0" else day - timedelta(days=5)
        rows.append((EventSession, {"id": sid, "event_id": eid, "starts_at": start,
                                    "ends_at": start + timedelta(hours=2),
                                    "facilitator_ids": who}))
        rows += [(Attendance, {"id": f"{sid}-{p}", "session_id": sid, "person_id": p})
                 for p in came]
    await writer.put(rows)

    index, ref = await fresh_index(sessions), await reference(sessions)
    window = [(date(2026, 7, 1), date(2027, 6, 30))]
    assert_same(ref, index.snapshot(), windows=window, networks=("net",))
    got = index.ask("net", *window[0])
    gen = {pid: int(got.generation[n]) for n, pid in enumerate(index.people.ids)}
    assert (gen["A"], gen["B"], gen["C"], gen["D"], gen["E"], gen["M"], gen["Z"]) == (
        1, 2, 3, 4, 2, 0, 0)


async def test_a_session_counts_once_it_has_started_without_a_reload(sessions):
    network = RandomNetwork(4)
    await Writer(sessions).put(network.rows())
    now = [datetime(2026, 5, 1, tzinfo=UTC)]
    index = ReachIndex(sessions, clock=lambda: now[0])
    await index.refresh()

    for moment in (datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 11, 20, 9, tzinfo=UTC),
                   NOW):
        now[0] = moment
        ref = await reference(sessions, now=moment)
        window = WINDOWS[0]
        for net in NETWORKS:
            expected = ref.ask(net, *window)
            got = index.ask(net, *window)
            assert got.reached.sum() == expected.reached.sum()
            assert got.attendances.sum() == expected.attendances.sum()
            assert got.sessions == expected.sessions


# few_rows 0: new attendance placed by one pass over all rows, as after a large page.
@pytest.mark.parametrize(("seed", "few_rows"), [(5, index_module.FEW_ROWS), (6, 0)])
async def test_a_refresh_after_changes_equals_a_fresh_load(sessions, seed, few_rows,
                                                           monkeypatch):
    monkeypatch.setattr(index_module, "FEW_ROWS", few_rows)
    network = RandomNetwork(seed)
    writer = Writer(sessions)
    await writer.put(network.rows())
    index = await fresh_index(sessions)
    before = index.snapshot()

    for round in range(3):
        await writer.put(network.more())
        if round == 1:  # a leadership taken back as if it never was
            await writer.delete(Membership, f"m-net-a-{network.leaders['net-a'][0]}")
        await index.refresh()
        ref = await reference(sessions)
        assert_same(ref, index.snapshot())
        assert_same(ref, (await fresh_index(sessions)).snapshot(), filters=FILTERS[:2])

    # A request that began before the refresh keeps answering from what it began with.
    assert before.people.count < index.people.count
    assert len(before.ask("net-a", *WINDOWS[0]).generation) == before.people.count


async def test_attendance_before_its_session_and_session_before_its_event(sessions):
    writer = Writer(sessions)
    await writer.put([
        (Organization, {"id": "net", "name": "N", "kind": "network"}),
        (Membership, {"id": "m", "organization_id": "net", "person_id": "L",
                      "role": "leader"})])
    index = await fresh_index(sessions)
    window = (date(2026, 7, 1), date(2027, 6, 30))
    assert index.ask("net", *window).reached.sum() == 0

    await writer.put([(Attendance, {"id": f"a{p}", "session_id": "s", "person_id": p})
                      for p in ("P", "Q")])
    await index.refresh()
    start = datetime(2026, 9, 2, 3, tzinfo=UTC)  # 2026-09-01 in Los Angeles
    await writer.put([(EventSession, {"id": "s", "event_id": "e", "starts_at": start,
                                      "ends_at": start + timedelta(hours=3),
                                      "facilitator_ids": ["L"]})])
    await index.refresh()
    assert index.ask("net", *window).reached.sum() == 0  # no event yet: nowhere

    await writer.put([(Event, {"id": "e", "network_id": "net", "kind": "workshop_series",
                               "timezone": "America/Los_Angeles"})])
    await index.refresh()
    got = index.ask("net", *window)
    assert got.reached.sum() == 2 and got.hours.sum() == 6.0
    assert index.ask("net", date(2026, 9, 1), date(2026, 9, 1)).reached.sum() == 2
    assert index.ask("net", date(2026, 9, 2), date(2026, 9, 2)).reached.sum() == 0
    assert_same(await reference(sessions), index.snapshot(), networks=("net",),
                windows=[window])


class GatedIndex(ReachIndex):
    """The real index whose first load waits for the test to open the gate."""

    gate: asyncio.Event

    async def _load(self) -> None:
        await self.gate.wait()
        await super()._load()


async def test_figures_answer_503_until_the_first_load_and_then_see_direct_writes(
        database_urls, keys, sessions):
    writer = Writer(sessions)
    await writer.put([(Person, {"id": "p1", "role": "teacher"})])
    app = create_app(ReachSettings(database_url=database_urls["reach"], consume_feeds=False),
                     verifier=keys.verifier("reach"))
    index = app.state.reach_index = GatedIndex(app.state.sessions)
    index.gate = asyncio.Event()

    @app.get("/api/reach/v1/engine-probe")
    async def probe(engine: EngineDep) -> dict:
        return {"people": engine.people.count}

    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://reach") as client:
        loading = await client.get("/api/reach/v1/engine-probe")
        assert loading.status_code == 503
        assert loading.headers["content-type"] == "application/problem+json"
        assert loading.json()["code"] == "index_loading"
        assert int(loading.headers["retry-after"]) > 0

        index.gate.set()
        await eventually(lambda: asyncio.sleep(0, index.loaded))
        assert (await client.get("/api/reach/v1/engine-probe")).json() == {"people": 1}

        # Written straight into the read model (no feeds): the next answer shows it.
        await writer.put([(Person, {"id": "p2", "role": "teacher"})])
        assert (await client.get("/api/reach/v1/engine-probe")).json() == {"people": 2}


async def test_a_load_leaves_the_database_free_for_writers(sessions):
    """On SQLite each transaction holds the write lock (shared/db.py): a load that read its
    millions of rows in one transaction would stop the feed consumers for minutes."""
    network = RandomNetwork(7)
    writer = Writer(sessions)
    await writer.put(network.rows())
    index = ReachIndex(sessions, clock=lambda: NOW, chunk=2)
    load = asyncio.create_task(index.refresh())
    writes_during_load = 0
    while not load.done():
        await asyncio.wait_for(writer.put(network.more()[:3]), timeout=5)
        writes_during_load += not load.done()
    await load
    assert writes_during_load >= 3
    await index.refresh()
    assert_same(await reference(sessions), index.snapshot())
