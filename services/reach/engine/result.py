"""What the reach engine answers, and what the figures are computed from.

Every person reach knows has a number, 0 .. n-1 (`People`). An answer (`Reach`) for one
network, window and choice of sessions is a set of arrays indexed by that number: who is a
leader, each reached person's generation, how often they came. Every published figure is a sum
or a count over these arrays, restricted by a mask (a county, a role, an equity lens), so a
breakdown by a person's place is one `numpy.bincount` and never a scan of attendance.

Nothing here names a person to a caller: person numbers stay inside the service.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np

# SPEC "Reach": the kinds whose leader-led sessions reach people directly, and by conference.
DIRECT_KINDS = frozenset(
    {"workshop_series", "institute", "coaching_cycle", "community_of_practice", "lesson_study"}
)
CONFERENCE_KINDS = frozenset({"conference", "webinar", "presentation"})

NOT_RECORDED = -1  # the code of a place or role that is not recorded


@dataclass(frozen=True)
class SessionFilter:
    """Which sessions count towards an answer: all held sessions that have started (the
    default), or only those of events with a subject, an overlapping grade span, a kind or a
    program. It applies to every session considered, the cascade's included."""

    subject: str | None = None
    grades: tuple[int, int] | None = None  # ordinals, TK = -1, K = 0; the event's range overlaps
    event_kind: str | None = None
    program_id: str | None = None

    def admits(self, *, subjects: list[str] | None, grade_min: int | None,
               grade_max: int | None, kind: str, program_id: str | None) -> bool:
        if self.subject is not None and self.subject not in (subjects or ()):
            return False
        if self.grades is not None:
            if grade_min is None or grade_max is None:
                return False
            low, high = self.grades
            if grade_min > high or grade_max < low:
                return False
        if self.event_kind is not None and kind != self.event_kind:
            return False
        return self.program_id is None or program_id == self.program_id


ALL_SESSIONS = SessionFilter()


@dataclass(frozen=True)
class Places:
    """One coded attribute per person: `codes[p]` indexes `keys` (NOT_RECORDED: unknown)."""

    codes: np.ndarray  # int32, one per person
    keys: tuple[str, ...]  # an organization id, a county name, a role, "yes"/"no"
    labels: tuple[str, ...]  # what a reader sees for each key (an organization's name)


@dataclass(frozen=True)
class People:
    """Every person reach knows, by their current affiliation (a school's district and county
    when the person's own are not recorded).

    `places` has one entry per person dimension: school, district, county, role, and the equity
    lenses high_poverty, el_serving and rural ("yes"/"no", from the school's attributes, else the
    district's)."""

    count: int
    ids: tuple[str, ...]  # person ids by number: for the service's own joins, never published
    places: dict[str, Places]
    keys: np.ndarray  # uint32 per person: the cell keys that perturb partners' counts


def person_keys(ids: tuple[str, ...] | list[str]) -> np.ndarray:
    """A fixed pseudo-random number per person (the cell-key method's record key): a cell's key
    is the sum of its people's, so the same people always get the same perturbation, however
    the cell was asked for."""
    return np.array([int.from_bytes(hashlib.blake2b(pid.encode(), digest_size=4,
                                                    person=b"cascade-cellkey").digest(), "big")
                     for pid in ids], dtype=np.uint32)


@dataclass(frozen=True)
class Reach:
    """One network, window and SessionFilter. Arrays have one entry per person number."""

    start: date
    end: date
    leaders: np.ndarray  # bool: held the leader membership during the window (generation 0)
    generation: np.ndarray  # int8: 0 not reached, 1 direct or conference, 2+ indirect
    direct: np.ndarray  # bool: D (so conference is generation == 1 & ~direct)
    direct_multi_session: np.ndarray  # bool: D_ms
    direct_returned: np.ndarray  # bool: D_ms2
    # Depth, over the sessions that counted towards reach, leaders' own attendance excluded:
    attendances: np.ndarray  # int32: sessions attended
    hours: np.ndarray  # float64: session hours over those attendances (PD contact hours)
    events: np.ndarray  # int32: distinct events attended (repeat attendance: 2 or more)
    completed: np.ndarray  # int32: events of 2+ sessions of which they attended every one
    first_sessions: np.ndarray  # int32: multi-session events whose Session I they attended
    returned_after_first: np.ndarray  # int32: ... of which they came back to a later session
    # Who led: facilitators of counted sessions (a leader is active when this is true).
    facilitated: np.ndarray  # bool
    # The facilitator credited with reaching each person (their first counted session's leader
    # or previous-generation facilitator, lowest number first); -1 when not reached.
    reached_by: np.ndarray  # int32
    sessions: int  # counted sessions with at least one non-leader attendee

    @property
    def reached(self) -> np.ndarray:
        return self.generation > 0

    @property
    def conference(self) -> np.ndarray:
        return (self.generation == 1) & ~self.direct

    @property
    def indirect(self) -> np.ndarray:
        return self.generation >= 2


class Engine(Protocol):
    """What the figures read: the people, and an answer per network, window and filter."""

    people: People

    def ask(self, network_id: str, start: date, end: date,
            sessions: SessionFilter = ALL_SESSIONS) -> Reach: ...
