"""Every figure of SPEC "Reach" as a sum over people: one engine answer (`Reach`), a mask of the
people a question keeps, and for breakdowns by a person's place one `bincount` per measure.

A measure that counts people also sums their cell keys, so disclosure control can perturb it
the same way whenever the same people are counted (figures/disclosure.py).
"""

from dataclasses import dataclass, field

import numpy as np

from services.reach.engine.result import People, Reach

SETS = ("direct", "conference", "indirect", "total")
FOOTPRINT_DIMENSIONS = ("school", "district", "county")
# Measures that count people (cells); the others are sums (hours, attendances).
COUNTS = ("leaders", "active_leaders", "direct", "direct_multi_session", "direct_returned",
          "conference", "indirect", "total", "completed", "repeat")

# Footprints of up to this many (row, place) cells are counted densely rather than by sorting.
DENSE_CELLS = 4_000_000


def counts_people(name: str) -> bool:
    return name in COUNTS or name.startswith(("generation_", "facilitators_"))


def person_measures(reach: Reach) -> dict[str, np.ndarray]:
    """Per-person weights whose sum over a group of people is the group's figure."""
    reached = reach.reached
    measures = {
        "leaders": reach.leaders,
        "active_leaders": reach.leaders & reach.facilitated,
        "direct": reach.direct,
        "direct_multi_session": reach.direct_multi_session,
        "direct_returned": reach.direct_returned,
        "conference": reach.conference,
        "indirect": reach.indirect,
        "total": reached,
        # Completion: multi-session direct reach who attended every session of such an event.
        "completed": reach.direct_multi_session & (reach.completed > 0),
        "repeat": reached & (reach.events >= 2),
        "pd_hours": np.where(reached, reach.hours, 0.0),
        "attendances": np.where(reached, reach.attendances, 0),
        "first_sessions": np.where(reached, reach.first_sessions, 0),
        "returned_after_first": np.where(reached, reach.returned_after_first, 0),
    }
    for g in generations_of(reach):
        measures[f"generation_{g}"] = reach.generation == g
        measures[f"facilitators_{g}"] = reach.facilitated & (reach.generation == g)
    return measures


def generations_of(reach: Reach) -> list[int]:
    deepest = int(reach.generation.max()) if reach.generation.size else 0
    return list(range(1, deepest + 1))


@dataclass
class Table:
    """Figures per row: exact values and, for counts of people, their cell keys."""

    keys: list[str | None]  # row keys (None: not recorded); a summary has one row, None
    values: dict[str, np.ndarray]  # measure -> value per row
    cell_keys: dict[str, np.ndarray]  # count measure -> key per row
    # set -> school/district/county -> distinct places per row
    footprints: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


def summary_table(reach: Reach, people: People, mask: np.ndarray) -> Table:
    return grouped_table(reach, people, mask, codes=np.zeros(people.count, dtype=np.int64),
                         keys=[None])


def grouped_table(reach: Reach, people: People, mask: np.ndarray, *, codes: np.ndarray,
                  keys: list[str | None]) -> Table:
    """One row per code (0 .. len(keys)-1) of the people the mask keeps."""
    rows = len(keys)
    kept = codes[mask]
    person_keys = people.keys[mask].astype(np.float64)
    values, cell_keys = {}, {}
    measures = person_measures(reach)
    for name, weights in measures.items():
        w = weights[mask]
        values[name] = np.bincount(kept, weights=w.astype(np.float64), minlength=rows)
        if counts_people(name):
            values[name] = np.rint(values[name]).astype(np.int64)
            # Sums of uint32 keys stay exact in float64 for any real network (< 2**53).
            cell_keys[name] = np.bincount(kept, weights=person_keys * w, minlength=rows
                                          ).astype(np.uint64) % (1 << 32)
    table = Table(keys=keys, values=values, cell_keys=cell_keys)
    for name in SETS:
        members = mask & measures[name].astype(bool)
        table.footprints[name] = {dim: _distinct_per_row(codes[members],
                                                         people.places[dim].codes[members], rows)
                                  for dim in FOOTPRINT_DIMENSIONS}
    return table


def _distinct_per_row(rows_of: np.ndarray, places: np.ndarray, rows: int) -> np.ndarray:
    """How many distinct recorded places each row's people have."""
    recorded = places >= 0
    width = int(places.max(initial=0)) + 1
    cells = rows_of[recorded].astype(np.int64) * width + places[recorded]
    if rows * width <= DENSE_CELLS:  # a count per (row, place) in one pass, no sort
        return (np.bincount(cells, minlength=rows * width).reshape(rows, width) > 0).sum(axis=1)
    pairs = np.unique(cells)
    return np.bincount(pairs // width, minlength=rows) if pairs.size else np.zeros(rows, int)


def ratio(numerator: float | None, denominator: float | None, digits: int = 2) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(float(numerator) / float(denominator), digits)
