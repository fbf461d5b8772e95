"""Reach figures for a network and window: exact for the network's own staff, suppressed
aggregates for partners. Never anything about one person."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.errors import InvalidWindow, UnsupportedDimension
from services.reach.feeds.repository import caught_up_times
from services.reach.feeds.workers import FEEDS
from services.reach.figures import repository
from services.reach.figures.schemas import (
    BreakdownPublic,
    BreakdownRowPublic,
    FootprintPublic,
    FootprintsPublic,
    GenerationPublic,
    SummaryPublic,
)
from services.reach.figures.sets import DIRECT_KINDS, ReachSets, compute_reach, local_date
from services.reach.figures.suppression import suppressed_cells

DIMENSIONS = ("county", "district", "school", "role")
SETS = ("direct", "conference", "indirect", "total")
NOT_RECORDED = "Not recorded"
# Never published, but they follow from what is: small ones must not be derivable.
DERIVED = ("direct_single_session", "direct_once")

DEFINITIONS = {
    "window": "sessions whose start date, in the event's time zone, is within from..to inclusive",
    "leaders": "people holding the leader membership in the network for any part of the window "
               "(generation 0; never counted in reach)",
    "direct": "distinct non-leaders who attended a workshop_series, institute, coaching_cycle, "
              "community_of_practice or lesson_study session of the network that a leader "
              "facilitated",
    "direct_multi_session": "direct reach who attended a session of an event that has two or more "
                            "sessions (D_ms)",
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
    "sessions": "sessions in the window counted towards reach with at least one non-leader "
                "attendee",
    "pd_hours": "sum of session hours over the non-leader attendances of those sessions",
    "suppression": "for partners, any figure counting fewer than min_cell_size people is null, "
                   "and further figures are withheld so that none can be derived from the rest",
}


@dataclass(frozen=True)
class Place:
    school: str | None = None
    district: str | None = None
    county: str | None = None
    role: str | None = None


@dataclass
class Figures:
    reach: ReachSets
    places: dict[str, Place]
    as_of: datetime | None
    min_cell_size: int

    def sets(self) -> dict[str, set[str]]:
        return {"direct": self.reach.direct, "conference": self.reach.conference,
                "indirect": self.reach.indirect, "total": self.reach.total}

    def footprint(self, people: set[str]) -> FootprintPublic:
        places = [self.places.get(p, Place()) for p in people]
        return FootprintPublic(
            schools=len({p.school for p in places} - {None}),
            districts=len({p.district for p in places} - {None}),
            counties=len({p.county for p in places} - {None}),
        )


def check_window(start: date, end: date) -> None:
    if start > end:
        raise InvalidWindow("from must not be after to.")


def check_dimension(dimension: str) -> None:
    if dimension not in DIMENSIONS:
        raise UnsupportedDimension(
            f"dimension must be one of {', '.join(DIMENSIONS)}.", supported=list(DIMENSIONS))


async def _figures(db: AsyncSession, *, network_id: str, start: date, end: date,
                   default_min_cell_size: int) -> Figures:
    # Padded by a day each side in UTC; the exact test uses each session's own time zone.
    lo = datetime.combine(start, time.min, UTC) - timedelta(days=1)
    hi = datetime.combine(end, time.min, UTC) + timedelta(days=2)
    leaders = await repository.leader_ids(db, network_id=network_id, start=start, end=end)
    sessions = [s for s in await repository.sessions_starting_between(db, lo, hi)
                if start <= local_date(s) <= end]
    in_window = {s.id for s in sessions}
    attendees = {sid: people for sid, people in
                 (await repository.attendees_of_sessions_starting_between(db, lo, hi)).items()
                 if sid in in_window}
    direct_events = {s.event_id for s in sessions
                     if s.network_id == network_id and s.kind in DIRECT_KINDS}
    reach = compute_reach(
        network_id=network_id, leaders=leaders, sessions=sessions, attendees=attendees,
        sessions_per_event=await repository.session_counts(db, direct_events),
    )
    network = await repository.organization(db, network_id)
    return Figures(
        reach=reach,
        places=await _places(db, reach.total),
        as_of=await _as_of(db),
        min_cell_size=_min_cell_size(network.attributes if network else {}, default_min_cell_size),
    )


async def _places(db: AsyncSession, person_ids: set[str]) -> dict[str, Place]:
    people = await repository.people(db, person_ids)
    orgs = await repository.organizations(
        db, {p.school_id for p in people.values()} | {p.district_id for p in people.values()})
    orgs |= await repository.organizations(
        db, {o.parent_id for o in orgs.values() if o.parent_id} - set(orgs))
    places = {}
    for person in people.values():
        school = orgs.get(person.school_id)
        district_id = person.district_id or (school.parent_id if school else None)
        district = orgs.get(district_id)
        county = (person.county or (school.county if school else None)
                  or (district.county if district else None))
        places[person.id] = Place(school=person.school_id, district=district_id,
                                  county=county, role=person.role)
    return places


async def _as_of(db: AsyncSession) -> datetime | None:
    times = await caught_up_times(db)
    if any(times.get(feed) is None for feed in FEEDS):
        return None
    return min(times[feed] for feed in FEEDS)


def _min_cell_size(attributes: dict, default: int) -> int:
    value = attributes.get("min_cell_size")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return default


async def summary(db: AsyncSession, *, network_id: str, start: date, end: date, exact: bool,
                  default_min_cell_size: int) -> SummaryPublic:
    check_window(start, end)
    figures = await _figures(db, network_id=network_id, start=start, end=end,
                             default_min_cell_size=default_min_cell_size)
    reach = figures.reach
    sizes = {name: len(people) for name, people in figures.sets().items()}
    generations = reach.generation_sizes()
    values = {
        **sizes,
        "leaders": len(reach.leaders),
        "direct_multi_session": len(reach.direct_multi_session),
        "direct_returned": len(reach.direct_returned),
        "direct_single_session": len(reach.direct - reach.direct_multi_session),
        "direct_once": len(reach.direct - reach.direct_returned),
        **{f"generation_{g}": n for g, n in generations.items()},
    }
    groups = [
        ["direct", "conference", "indirect", "total"],
        ["direct_multi_session", "direct_single_session", "direct"],
        ["direct_returned", "direct_once", "direct"],
        ["generation_1", "direct", "conference"],
        ["indirect", *(f"generation_{g}" for g in generations if g >= 2)],
    ]
    hidden = set() if exact else suppressed_cells(
        values, groups, min_cell_size=figures.min_cell_size, derived=DERIVED)

    def shown(name: str) -> int | None:
        return None if name in hidden else values[name]

    def footprint(name: str) -> FootprintPublic:
        if name in hidden:
            return FootprintPublic(schools=None, districts=None, counties=None)
        return figures.footprint(figures.sets()[name])

    direct_footprint = footprint("direct")
    return SummaryPublic(
        network_id=network_id, from_=start, to=end,
        leaders=shown("leaders"), direct=shown("direct"), conference=shown("conference"),
        indirect=shown("indirect"), total=shown("total"),
        direct_multi_session=shown("direct_multi_session"),
        direct_returned=shown("direct_returned"),
        schools=direct_footprint.schools, districts=direct_footprint.districts,
        counties=direct_footprint.counties,
        sessions=reach.sessions, pd_hours=reach.pd_hours,
        generations=[GenerationPublic(generation=g, people=shown(f"generation_{g}"))
                     for g in generations],
        footprint=FootprintsPublic(**{name: footprint(name) for name in SETS}),
        as_of=figures.as_of,
        suppressed=sorted(hidden),
        min_cell_size=None if exact else figures.min_cell_size,
        definitions=DEFINITIONS,
    )


async def breakdown(db: AsyncSession, *, network_id: str, start: date, end: date,
                    dimension: str, exact: bool, default_min_cell_size: int) -> BreakdownPublic:
    check_window(start, end)
    check_dimension(dimension)
    figures = await _figures(db, network_id=network_id, start=start, end=end,
                             default_min_cell_size=default_min_cell_size)
    counts: dict[str | None, dict[str, int]] = {}
    for name, people in figures.sets().items():
        for person in people:
            key = getattr(figures.places.get(person, Place()), dimension)
            row = counts.setdefault(key, dict.fromkeys(SETS, 0))
            row[name] += 1
    labels = await _labels(db, dimension, [key for key in counts if key is not None])

    values = {(key, name): row[name] for key, row in counts.items() for name in SETS}
    # Each person has one place, so a column's rows add up to the summary's figure, and each
    # row's parts to its total: both are relations a reader could solve for one hidden cell.
    groups = [[(key, name) for name in SETS] for key in counts]
    groups += [[(key, name) for key in counts] for name in SETS]
    hidden = set() if exact else suppressed_cells(
        values, groups, min_cell_size=figures.min_cell_size)

    rows = [
        BreakdownRowPublic(
            key=key, label=labels.get(key, NOT_RECORDED) if key is not None else NOT_RECORDED,
            suppressed=any((key, name) in hidden for name in SETS),
            **{name: None if (key, name) in hidden else row[name] for name in SETS},
        )
        for key, row in counts.items()
    ]
    rows.sort(key=lambda r: (r.key is None, r.label.casefold(), r.key or ""))
    return BreakdownPublic(
        network_id=network_id, from_=start, to=end, dimension=dimension, rows=rows,
        as_of=figures.as_of, min_cell_size=None if exact else figures.min_cell_size,
        definitions={"rows": f"people of each set by their {dimension}; a person counts in one row",
                     **DEFINITIONS},
    )


async def _labels(db: AsyncSession, dimension: str, keys: list[str]) -> dict[str, str]:
    if dimension in ("school", "district"):
        orgs = await repository.organizations(db, keys)
        return {key: orgs[key].name if key in orgs and orgs[key].name else key for key in keys}
    return {key: key for key in keys}
