"""The reach sets of SPEC "Reach" (M2-M5 of reach-metrics.md), computed from plain facts.

Pure functions over sessions and attendance, so the definitions can be read (and tested) apart
from the database.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from services.reach.engine import reference as engine_reference
from services.reach.figures.repository import SessionFact

DIRECT_KINDS = frozenset(
    {"workshop_series", "institute", "coaching_cycle", "community_of_practice", "lesson_study"}
)
CONFERENCE_KINDS = frozenset({"conference", "webinar", "presentation"})


@dataclass
class ReachSets:
    leaders: set[str]
    direct: set[str] = field(default_factory=set)
    conference: set[str] = field(default_factory=set)
    # Generation of every reached person: 1 for direct and conference, 2+ for indirect.
    generation: dict[str, int] = field(default_factory=dict)
    direct_multi_session: set[str] = field(default_factory=set)
    direct_returned: set[str] = field(default_factory=set)
    sessions: int = 0
    pd_hours: float = 0.0

    @property
    def indirect(self) -> set[str]:
        return {p for p, g in self.generation.items() if g >= 2}

    @property
    def total(self) -> set[str]:
        return set(self.generation)

    def generation_sizes(self) -> dict[int, int]:
        sizes: dict[int, int] = {}
        for g in self.generation.values():
            sizes[g] = sizes.get(g, 0) + 1
        return dict(sorted(sizes.items()))


def local_date(session: SessionFact) -> date:
    """The session's calendar date where it happens: "in W" means this date is in W."""
    return engine_reference.local_date(session.starts_at, session.timezone)


def hours(session: SessionFact) -> float:
    return engine_reference.session_hours(session.starts_at, session.ends_at)


def compute_reach(
    *,
    network_id: str,
    leaders: set[str],
    sessions: Iterable[SessionFact],
    attendees: dict[str, set[str]],
    sessions_per_event: dict[str, int],
) -> ReachSets:
    """`sessions` are the sessions in the window (of every network: a person the network reached
    may go on to lead colleagues anywhere); `attendees` maps a session id to who attended it."""
    sessions = sorted(sessions, key=lambda s: (s.starts_at, s.id))
    reach = ReachSets(leaders=set(leaders))
    reached_at: dict[str, datetime] = {}
    led = [s for s in sessions if s.network_id == network_id and s.facilitator_ids & leaders]
    direct_sessions = [s for s in led if s.kind in DIRECT_KINDS]
    conference_sessions = [s for s in led if s.kind in CONFERENCE_KINDS]

    attended_per_event: dict[tuple[str, str], int] = {}
    for session in direct_sessions:
        for person in attendees.get(session.id, set()) - leaders:
            reach.direct.add(person)
            reached_at.setdefault(person, session.starts_at)
            if sessions_per_event.get(session.event_id, 0) >= 2:
                reach.direct_multi_session.add(person)
            key = (person, session.event_id)
            attended_per_event[key] = attended_per_event.get(key, 0) + 1
    reach.direct_returned = {person for (person, _), n in attended_per_event.items() if n >= 2}

    for session in conference_sessions:
        for person in attendees.get(session.id, set()) - leaders:
            # Reached first by whichever session came first, even if they count in D.
            if person not in reached_at or session.starts_at < reached_at[person]:
                reached_at[person] = session.starts_at
            if person not in reach.direct:
                reach.conference.add(person)

    for person in reach.direct | reach.conference:
        reach.generation[person] = 1
    cascade_sessions = _cascade(reach, reached_at, sessions, attendees)

    counted = [*direct_sessions, *conference_sessions, *cascade_sessions]
    for session in counted:
        present = attendees.get(session.id, set()) - leaders
        if present:
            reach.sessions += 1
            reach.pd_hours += hours(session) * len(present)
    reach.pd_hours = round(reach.pd_hours, 2)
    return reach


def _cascade(reach: ReachSets, reached_at: dict[str, datetime], sessions: list[SessionFact],
             attendees: dict[str, set[str]]) -> list[SessionFact]:
    """Generations 2 and beyond (M4): attendees of a session no leader facilitated, with at least
    one facilitator of the previous generation who had been reached before it started."""
    leaders = reach.leaders
    candidates = [s for s in sessions if s.facilitator_ids and not s.facilitator_ids & leaders]
    cascade: dict[str, SessionFact] = {}
    frontier = set(reach.generation)
    generation = 1
    while frontier:
        newly: dict[str, datetime] = {}
        for session in candidates:
            if not any(f in frontier and reached_at[f] < session.starts_at
                       for f in session.facilitator_ids):
                continue
            cascade[session.id] = session
            for person in attendees.get(session.id, set()):
                if person in leaders or person in reach.generation:
                    continue
                if person not in newly or session.starts_at < newly[person]:
                    newly[person] = session.starts_at
        generation += 1
        for person, at in newly.items():
            reach.generation[person] = generation
            reached_at[person] = at
        frontier = set(newly)
    return list(cascade.values())
