"""Reach figures for a network, window and filters, from the engine's answers: exact for the
network's own staff, protected aggregates for partners (figures/disclosure.py). Never anything
about one person."""

import asyncio
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import anyio
import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.engine.result import Engine, People, Reach
from services.reach.errors import LeaderNotInNetwork, NetworkNotFound
from services.reach.feeds.repository import caught_up_times
from services.reach.feeds.workers import FEEDS
from services.reach.figures import repository
from services.reach.figures.disclosure import Disclosure, check_partner_window
from services.reach.figures.measures import (
    COUNTS,
    FOOTPRINT_DIMENSIONS,
    SETS,
    Table,
    generations_of,
    grouped_table,
    ratio,
    summary_table,
)
from services.reach.figures.questions import (
    CHOICES,
    PERSON_DIMENSIONS,
    ROLES,
    SESSION_DIMENSIONS,
    Question,
    check_dimension,
    year_window,
    years_between,
)
from services.reach.figures.schemas import (
    BreakdownPublic,
    BreakdownRowPublic,
    CascadePublic,
    DepthPublic,
    FootprintPublic,
    FootprintsPublic,
    GenerationPublic,
    GrowthPublic,
    GrowthYearPublic,
    LineagePublic,
    MultipliersPublic,
    PenetrationPublic,
    SummaryPublic,
)

VARIANT = "cascade-reach/2026-12 (SPEC Reach; reach-metrics M1-M14)"
NOT_RECORDED = "Not recorded"
HEADCOUNT_ATTRIBUTES = ("headcount", "educators", "teacher_count")
LABELS = {
    "subject": {"ELA": "ELA", "math": "Math", "science": "Science", "ELD": "ELD",
                "other": "Other"},
    "event_kind": {"workshop_series": "Workshop series", "institute": "Institute",
                   "coaching_cycle": "Coaching cycle",
                   "community_of_practice": "Community of practice",
                   "lesson_study": "Lesson study", "conference": "Conference",
                   "webinar": "Webinar", "presentation": "Presentation"},
    "role": {"teacher": "Teacher", "coach_tosa": "Coach or TOSA",
             "administrator": "Administrator", "teacher_candidate": "Teacher candidate",
             "other": "Other"},
    "high_poverty": {"yes": "High poverty", "no": "Not high poverty"},
    "el_serving": {"yes": "English-learner serving", "no": "Not English-learner serving"},
    "rural": {"yes": "Rural", "no": "Not rural"},
}

DEFINITIONS = {
    "window": "sessions whose start date, in the event's time zone, is within from..to "
              "inclusive, that were not cancelled and have started",
    "filters": "county, district, school, role, high_poverty, el_serving and rural keep the "
               "people whose current affiliation matches; subject, grade_span, event_kind and "
               "program_id keep the sessions of matching events (the cascade's included); "
               "school_year and program_year (July 1 to June 30) narrow the window",
    "leaders": "people holding the leader membership in the network for any part of the window "
               "(generation 0; never counted in reach)",
    "active_leaders": "leaders who facilitated a session counted towards reach",
    "direct": "distinct non-leaders who attended a workshop_series, institute, coaching_cycle, "
              "community_of_practice or lesson_study session of the network that a leader "
              "facilitated",
    "direct_multi_session": "direct reach who attended a session of an event that has two or "
                            "more sessions (D_ms)",
    "direct_returned": "direct reach who attended two or more leader-facilitated sessions of the "
                       "same event (D_ms2: came back for Session II)",
    "conference": "distinct non-leaders not in direct who attended a conference, webinar or "
                  "presentation session of the network that a leader facilitated",
    "indirect": "generations 2 and beyond: people not yet counted who attended a session (of any "
                "network) that no leader facilitated and that a facilitator of the previous "
                "generation led after having been reached",
    "total": "direct + conference + indirect; disjoint, each person counted once",
    "footprint": "distinct schools, districts and counties of the people in each set, by their "
                 "current affiliation (a school's district and county when the person's own are "
                 "not recorded); schools, districts and counties are the footprint of direct",
    "multipliers": "direct per active leader, total per leader, and each generation per "
                   "facilitator of the generation before",
    "sessions": "sessions counted towards reach with at least one non-leader attendee",
    "pd_hours": "PD contact hours: session hours summed over the attendances of people reached",
    "penetration": "people reached whose school or district is the organization, over its "
                   "headcount (organization attribute headcount)",
    "growth": "per school year: people first reached that year (new) and reached from the "
              "window's start to the year's end (cumulative); corps size and role mix",
    "rows": "a person counts in the row of their place; by subject, grade span, kind or year a "
            "row is the figures of those sessions alone, so a person can count in several rows",
    "disclosure": "partners: whole months only; every count of people is perturbed by at most 2 "
                  "by a fixed key of its people (the same people always give the same number), "
                  "counts under min_cell_size are withheld, hours, sessions, footprints and "
                  "rates are shown only beside their published set, and the generations from "
                  "the first withheld one on are one row (and_later), shown if publishable",
}


@dataclass(frozen=True)
class Asked:
    """What every answer states beside its figures."""

    question: Question
    disclosure: Disclosure
    as_of: datetime | None

    def header(self) -> dict:
        q = self.question
        return {"network_id": q.network_id, "from_": q.start, "to": q.end,
                "filters": dict(q.filters), "as_of": self.as_of, "variant": VARIANT,
                "disclosure": "exact" if self.disclosure.exact else "cell_key",
                "min_cell_size": self.disclosure.min_cell_size, "definitions": DEFINITIONS}


async def asked(db: AsyncSession, question: Question, *, exact: bool,
                default_min_cell_size: int) -> Asked:
    """What the answer states; 404 when no network has the id. The caller has been authorized
    for this network id before, so an outsider is refused alike whether or not it exists. Until
    identity's feed has been read once reach cannot tell, and answers with as_of null."""
    times = await caught_up_times(db)
    network = await repository.network(db, question.network_id)
    if network is None and times.get("identity") is not None:
        raise NetworkNotFound(f"No network has the id {question.network_id!r}.")
    min_cell_size = None
    if not exact:
        check_partner_window(question.start, question.end)
        min_cell_size = _min_cell_size((network.attributes if network else None) or {},
                                       default_min_cell_size)
    return Asked(question=question, disclosure=Disclosure(min_cell_size), as_of=_as_of(times))


def _as_of(times: dict[str, datetime | None]) -> datetime | None:
    if any(times.get(feed) is None for feed in FEEDS):
        return None
    return min(times[feed] for feed in FEEDS)


def _min_cell_size(attributes: dict, default: int) -> int:
    value = attributes.get("min_cell_size")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return default


# Answers are computed in worker threads (numpy lets go of the GIL), two at most at once: the
# event loop goes on serving other requests while a whole-history answer takes a second.
ASKS = anyio.CapacityLimiter(2)


async def ask(engine: Engine, question: Question) -> Reach:
    window = question.window()
    if window is None:  # a year filter outside the window: nothing counts
        return _nobody(engine.people.count, question.start, question.end)
    return await anyio.to_thread.run_sync(engine.ask, question.network_id, *window,
                                          question.sessions(), limiter=ASKS)


def _nobody(n: int, start: date, end: date) -> Reach:
    no, zero = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int32)
    return Reach(start=start, end=end, leaders=no, generation=np.zeros(n, dtype=np.int8),
                 direct=no, direct_multi_session=no, direct_returned=no, attendances=zero,
                 hours=np.zeros(n), events=zero, completed=zero, first_sessions=zero,
                 returned_after_first=zero, facilitated=no, reached_by=np.full(n, -1, np.int32),
                 sessions=0)


# -- publishing one row of figures -------------------------------------------------------------

def _published(table: Table, i: int, d: Disclosure) -> dict[str, int | None]:
    return {name: d.count(table.values[name][i], table.cell_keys[name][i])
            for name in table.cell_keys}


def _footprint(table: Table, i: int, d: Disclosure, name: str, shown: dict) -> FootprintPublic:
    return FootprintPublic(**{
        f"{dim}s" if dim != "county" else "counties": d.footprint(
            table.footprints[name][dim][i], table.cell_keys[name][i], dim, shown[name])
        for dim in FOOTPRINT_DIMENSIONS})


def _generations(reach: Reach, table: Table, d: Disclosure, shown: dict
                 ) -> list[GenerationPublic]:
    """Each generation's size, facilitators and multiplier. A partner sees the generations one
    by one up to the first whose size is withheld; that generation and every later one are one
    row, "generation k and later", shown only when their merged size can be published. So how
    many rows there are says nothing of how deep a tail of small generations goes."""
    out, before = [], shown["active_leaders"]
    generations = generations_of(reach)
    for g in generations:
        people, facilitators = shown.get(f"generation_{g}"), shown.get(f"facilitators_{g}")
        if people is None and not d.exact:  # this one and every later: one row, or none
            tail = generations[g - 1:]
            merged = _merged(table, d, "generation_", tail)
            if merged is not None:
                out.append(GenerationPublic(generation=g, and_later=True, people=merged,
                                            facilitators=_merged(table, d, "facilitators_",
                                                                 tail)))
            break
        out.append(GenerationPublic(generation=g, people=people, facilitators=facilitators,
                                    multiplier=ratio(people, before)))
        before = facilitators
    return out


def _merged(table: Table, d: Disclosure, prefix: str, generations: list[int]) -> int | None:
    """One published count of several generations' people (disjoint, so their cell keys add)."""
    names = [f"{prefix}{g}" for g in generations]
    return d.count(sum(int(table.values[name][0]) for name in names),
                   sum(int(table.cell_keys[name][0]) for name in names) % (1 << 32))


def _depth(table: Table, i: int, d: Disclosure, shown: dict, reach: Reach,
           mask: np.ndarray) -> DepthPublic:
    v = table.values
    total, visible = int(v["total"][i]), d.exact or shown["total"] is not None
    reached = reach.attendances[reach.reached & mask]
    return DepthPublic(
        sessions_per_person=ratio(v["attendances"][i], total, 2 if d.exact else 1)
        if visible else None,
        median_sessions_per_person=float(np.median(reached)) if visible and reached.size
        else None,
        session_ii_return_rate=ratio(v["returned_after_first"][i], v["first_sessions"][i])
        if visible else None,
        completion_rate=ratio(shown["completed"], shown["direct_multi_session"]),
        repeat_attendance=ratio(shown["repeat"], shown["total"]),
        pd_hours=d.scaled(v["pd_hours"][i], total, shown["total"]),
    )


def _suppressed(shown: dict) -> list[str]:
    return sorted(name for name in COUNTS if name in shown and shown[name] is None)


# -- the answers -------------------------------------------------------------------------------

async def summary(db: AsyncSession, engine: Engine, asked: Asked) -> SummaryPublic:
    q, d, people = asked.question, asked.disclosure, engine.people
    reach, mask = await ask(engine, q), q.people(people)
    table = summary_table(reach, people, mask)
    shown = _published(table, 0, d)
    footprints = {name: _footprint(table, 0, d, name, shown) for name in SETS}
    direct_footprint = footprints["direct"]
    pd_hours = d.scaled(table.values["pd_hours"][0], table.values["total"][0], shown["total"])
    return SummaryPublic(
        **asked.header(),
        **{name: shown[name] for name in ("leaders", "active_leaders", "direct",
                                          "direct_multi_session", "direct_returned",
                                          "conference", "indirect", "total")},
        schools=direct_footprint.schools, districts=direct_footprint.districts,
        counties=direct_footprint.counties,
        sessions=reach.sessions if d.exact or shown["total"] is not None else None,
        pd_hours=pd_hours,
        generations=_generations(reach, table, d, shown),
        footprint=FootprintsPublic(**footprints),
        multipliers=MultipliersPublic(
            direct_per_active_leader=ratio(shown["direct"], shown["active_leaders"]),
            total_per_leader=ratio(shown["total"], shown["leaders"])),
        depth=_depth(table, 0, d, shown, reach, mask),
        penetration=await _penetration(db, q, shown["total"]),
        suppressed=_suppressed(shown),
    )


async def _penetration(db: AsyncSession, q: Question, reached: int | None
                       ) -> PenetrationPublic | None:
    organization_id = q.filters.get("school") or q.filters.get("district")
    if organization_id is None:
        return None
    headcount = (await headcounts(db, [organization_id])).get(organization_id)
    if headcount is None:
        return None
    return PenetrationPublic(organization_id=organization_id, headcount=headcount,
                             reached=reached, rate=ratio(reached, headcount, 3))


async def headcounts(db: AsyncSession, ids: list[str]) -> dict[str, int]:
    found = {}
    for org in (await repository.organizations(db, ids)).values():
        for name in HEADCOUNT_ATTRIBUTES:
            value = (org.attributes or {}).get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                found[org.id] = value
                break
    return found


async def breakdown(db: AsyncSession, engine: Engine, asked: Asked, *,
                    dimension: str) -> BreakdownPublic:
    check_dimension(dimension)
    q, d, people = asked.question, asked.disclosure, engine.people
    whole_reach, mask = await ask(engine, q), q.people(people)
    whole = _published(summary_table(whole_reach, people, mask), 0, d)
    rows: list[BreakdownRowPublic] = []
    if dimension in PERSON_DIMENSIONS:
        places = people.places[dimension]
        keys = [None, *places.keys]
        labels = [NOT_RECORDED, *(LABELS.get(dimension, {}).get(k, label)
                                  for k, label in zip(places.keys, places.labels, strict=True))]
        table = grouped_table(whole_reach, people, mask, codes=places.codes.astype(np.int64) + 1,
                              keys=keys)
        sizes = await headcounts(db, list(places.keys)) if dimension in ("school", "district") \
            else {}
        for i, key in enumerate(keys):
            if not any(table.values[name][i] for name in table.cell_keys) or (
                    key is None and not table.values["total"][i]):
                continue  # no empty rows, and no "not recorded" row of leaders alone
            rows.append(_row(table, i, d, key, labels[i], whole, sizes.get(key)))
        rows.sort(key=lambda r: (r.key is None, r.label.casefold(), r.key or ""))
    else:
        values = (years_between(q.start, q.end) if dimension in ("school_year", "program_year")
                  else CHOICES[dimension])
        for value, reach in await _asked_per_value(engine, q, dimension, values):
            table = summary_table(reach, people, mask)
            if dimension in SESSION_DIMENSIONS and not (table.values["total"][0]
                                                        or table.values["active_leaders"][0]):
                continue  # no session of this kind, subject or span reached anyone
            row = _row(table, 0, d, value, LABELS.get(dimension, {}).get(value, value), whole,
                       None)
            if dimension == "program_year":
                row.role_mix = _role_mix(reach.leaders & mask, people, d, table)
            rows.append(row)
    return BreakdownPublic(**asked.header(), dimension=dimension, rows=rows)


async def _asked_per_value(engine: Engine, q: Question, dimension: str,
                           values: Sequence[str]) -> list[tuple[str, Reach]]:
    """The question narrowed to each value, asked as many at a time as there are worker
    threads (a window of many school years must not hold all their answers at once)."""
    answers = []
    step = int(ASKS.total_tokens)
    for first in range(0, len(values), step):
        batch = values[first:first + step]
        answers += zip(batch, await asyncio.gather(
            *(ask(engine, q.narrowed(dimension, v)) for v in batch)), strict=True)
    return answers


def _row(table: Table, i: int, d: Disclosure, key: str | None, label: str, whole: dict,
         headcount: int | None) -> BreakdownRowPublic:
    shown = _published(table, i, d)
    footprint = _footprint(table, i, d, "total", shown)
    return BreakdownRowPublic(
        key=key, label=label,
        **{name: shown[name] for name in ("leaders", "direct", "direct_multi_session",
                                          "direct_returned", "conference", "indirect", "total")},
        schools=footprint.schools, districts=footprint.districts, counties=footprint.counties,
        pd_hours=d.scaled(table.values["pd_hours"][i], table.values["total"][i], shown["total"]),
        shares={name: ratio(shown[name], whole[name], 3) for name in SETS},
        penetration=ratio(shown["total"], headcount, 3) if headcount else None,
        suppressed=any(shown[name] is None for name in ("leaders", *SETS)),
    )


def _role_mix(corps: np.ndarray, people: People, d: Disclosure, table: Table
              ) -> dict[str, float | None]:
    """Each role's share of the corps, from perturbed counts for partners."""
    places = people.places["role"]
    codes = places.codes[corps]
    keys = people.keys[corps].astype(np.float64)
    size = d.count(int(corps.sum()), int(table.cell_keys["leaders"][0]))
    mix = {}
    for role in ROLES:
        code = places.keys.index(role) if role in places.keys else None
        members = codes == code if code is not None else np.zeros(codes.size, dtype=bool)
        count = d.count(int(members.sum()), int(keys[members].sum()) % (1 << 32))
        mix[role] = ratio(count, size, 3)
    return mix


async def cascade(db: AsyncSession, engine: Engine, asked: Asked, *,
                  leader_id: str | None) -> CascadePublic:
    q, d, people = asked.question, asked.disclosure, engine.people
    reach, mask = await ask(engine, q), q.people(people)
    if leader_id is not None:
        number = _number_of(people, leader_id)
        if number is None or not reach.leaders[number]:
            raise LeaderNotInNetwork("leader_id is not a leader of this network in the window.")
        descendants = _descendants(reach, number)
        reach = replace(reach, leaders=reach.leaders & (np.arange(people.count) == number),
                        generation=np.where(descendants, reach.generation, 0).astype(np.int8),
                        direct=reach.direct & descendants,
                        direct_multi_session=reach.direct_multi_session & descendants,
                        direct_returned=reach.direct_returned & descendants,
                        facilitated=reach.facilitated & (descendants | (np.arange(people.count)
                                                                        == number)))
    table = summary_table(reach, people, mask)
    shown = _published(table, 0, d)
    return CascadePublic(**asked.header(), leader=leader_id is not None,
                         leaders=shown["leaders"],
                         generations=_generations(reach, table, d, shown),
                         lineage=_lineage(reach, people, mask) if d.exact else [])


def _number_of(people: People, person_id: str) -> int | None:
    try:
        return people.ids.index(person_id)
    except ValueError:
        return None


def _descendants(reach: Reach, leader: int) -> np.ndarray:
    """People whose chain of 'reached by' leads back to the leader."""
    mine = np.zeros(reach.generation.size, dtype=bool)
    for g in generations_of(reach):
        in_g = np.flatnonzero(reach.generation == g)
        by = reach.reached_by[in_g]
        mine[in_g] = (by == leader) | (mine[by] if g > 1 else False)
    return mine


def _lineage(reach: Reach, people: People, mask: np.ndarray) -> list[LineagePublic]:
    roles = people.places["role"]
    reached = np.flatnonzero(reach.reached & mask & (reach.reached_by >= 0))
    by = reach.reached_by[reached]
    by_generation = np.where(reach.leaders[by], 0, reach.generation[by]).astype(np.int64)
    groups: dict[tuple[int, int], list[int]] = {}
    for person, gen, role in zip(reached, by_generation, roles.codes[by], strict=True):
        groups.setdefault((int(gen), int(role)), []).append(int(person))
    out = []
    for (gen, role), members in sorted(groups.items()):
        facilitators = np.unique(reach.reached_by[members])
        member_roles = roles.codes[members]
        out.append(LineagePublic(
            generation=gen, facilitator_role=roles.keys[role] if role >= 0 else None,
            facilitators=int(facilitators.size), reached=len(members),
            reached_roles={(roles.keys[r] if r >= 0 else "not_recorded"): int(n)
                           for r, n in zip(*np.unique(member_roles, return_counts=True),
                                           strict=True)}))
    return out


async def growth(db: AsyncSession, engine: Engine, asked: Asked) -> GrowthPublic:
    q, d, people = asked.question, asked.disclosure, engine.people
    mask = q.people(people)
    keys = people.keys.astype(np.float64)
    before = np.zeros(people.count, dtype=bool)
    years = []
    for year in years_between(q.start, q.end):
        year_start, year_end = year_window(year)
        start, end = max(q.start, year_start), min(q.end, year_end)
        cumulative = await ask(engine, replace(q, end=end))
        this_year = await ask(engine, replace(q, start=start, end=end))
        sets = {"direct": cumulative.direct, "conference": cumulative.conference,
                "indirect": cumulative.indirect, "total": cumulative.reached}

        def cell(members: np.ndarray) -> int | None:
            members = members & mask
            return d.count(int(members.sum()), int(keys[members].sum()) % (1 << 32))

        table = summary_table(this_year, people, mask)
        shown = _published(table, 0, d)
        years.append(GrowthYearPublic(
            school_year=year, from_=start, to=end,
            new={name: cell(members & ~before) for name, members in sets.items()},
            cumulative={name: cell(members) for name, members in sets.items()},
            leaders=shown["leaders"], active_leaders=shown["active_leaders"],
            role_mix=_role_mix(this_year.leaders & mask, people, d, table)))
        before = cumulative.reached
    return GrowthPublic(**asked.header(), years=years)


# -- CSV ---------------------------------------------------------------------------------------

def csv_text(header: list[str], rows: list[list]) -> str:
    """A spreadsheet-safe CSV: a cell a spreadsheet would run as a formula is made inert."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _inert(v) for v in row])
    return out.getvalue()


def _inert(value) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def summary_csv(answer: SummaryPublic) -> str:
    rows = [[name, getattr(answer, name)] for name in (
        "leaders", "active_leaders", "direct", "direct_multi_session", "direct_returned",
        "conference", "indirect", "total", "schools", "districts", "counties", "sessions",
        "pd_hours")]
    rows += [[f"generation_{g.generation}{'_and_later' if g.and_later else ''}", g.people]
             for g in answer.generations]
    rows += [[f"depth_{name}", value] for name, value in answer.depth.model_dump().items()]
    rows += [["from", answer.from_], ["to", answer.to], ["as_of", answer.as_of],
             ["variant", answer.variant], ["disclosure", answer.disclosure]]
    return csv_text(["figure", "value"], rows)


BREAKDOWN_COLUMNS = ["leaders", "direct", "direct_multi_session", "direct_returned",
                     "conference", "indirect", "total", "schools", "districts", "counties",
                     "pd_hours", "penetration"]


def breakdown_csv(answer: BreakdownPublic) -> str:
    return csv_text([answer.dimension, "key", *BREAKDOWN_COLUMNS, "share_of_total"],
                    [[r.label, r.key, *(getattr(r, c) for c in BREAKDOWN_COLUMNS),
                      r.shares.get("total")] for r in answer.rows])


def cascade_csv(answer: CascadePublic) -> str:
    return csv_text(["generation", "people", "facilitators", "multiplier"],
                    [[0, answer.leaders, None, None],
                     *([f"{g.generation} and later" if g.and_later else g.generation,
                        g.people, g.facilitators, g.multiplier] for g in answer.generations)])


def growth_csv(answer: GrowthPublic) -> str:
    return csv_text(
        ["school_year", "from", "to", *(f"new_{s}" for s in SETS),
         *(f"cumulative_{s}" for s in SETS), "leaders", "active_leaders"],
        [[y.school_year, y.from_, y.to, *(y.new[s] for s in SETS),
          *(y.cumulative[s] for s in SETS), y.leaders, y.active_leaders] for y in answer.years])
