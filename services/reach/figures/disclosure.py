"""What partners are shown (M21): the cell-key method, on whole months.

Every count of people a partner sees is the true count plus a small fixed perturbation drawn
from the cell's key, the sum of its people's keys. The same people always get the same
perturbation however they are asked for (a summary, a filtered summary, a breakdown row), so
asking again or another way averages nothing out; and a difference of two answers (a total
minus its parts, one window minus another, a district minus its schools) is the difference of
the true counts plus perturbations that do not cancel, so it never gives a person away. Counts
below the network's minimum cell size are withheld outright, and what is not a count of people
(PD hours, sessions, footprints, rates) is shown only beside its published set and derived from
its perturbed count. Partner windows are whole months, so two windows never differ by one day's
session. Network staff see exact figures.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from services.reach.errors import PartnerWindow

NOISE = 2  # a published count is within this many people of the truth
SALTS = {"count": 0, "school": 1, "district": 2, "county": 3}


def perturbation(cell_key: int, salt: int = 0) -> int:
    """A number in -NOISE .. NOISE, fixed for a cell key (a 32-bit integer hash, then a draw)."""
    x = (int(cell_key) ^ (salt * 0x9E3779B9)) & 0xFFFFFFFF
    x = ((x >> 16) ^ x) * 0x45D9F3B & 0xFFFFFFFF
    x = ((x >> 16) ^ x) * 0x45D9F3B & 0xFFFFFFFF
    x = (x >> 16) ^ x
    return x % (2 * NOISE + 1) - NOISE


def check_partner_window(start: date, end: date) -> None:
    last_day = calendar.monthrange(end.year, end.month)[1]
    if start.day != 1 or end.day != last_day:
        raise PartnerWindow("Partners ask for whole months: from is the first day of a month and "
                            "to the last day of a month (for example 2025-07-01 to 2026-06-30).")


@dataclass(frozen=True)
class Disclosure:
    """Exact figures (min_cell_size None) or a partner's protected ones."""

    min_cell_size: int | None

    @property
    def exact(self) -> bool:
        return self.min_cell_size is None

    def count(self, n: int, cell_key: int, salt: int = 0) -> int | None:
        n = int(n)
        if self.exact:
            return n
        if n < self.min_cell_size:
            return None
        # Never below the threshold: a published 8 would say the truth was exactly 10.
        return max(self.min_cell_size, n + perturbation(cell_key, salt))

    def footprint(self, places: int, cell_key: int, dimension: str,
                  people: int | None) -> int | None:
        """Schools, districts or counties of a set: shown only beside its published count."""
        places = int(places)
        if self.exact:
            return places
        if people is None:
            return None
        if places == 0:
            return 0
        return max(1, min(people, places + perturbation(cell_key, SALTS[dimension])))

    def scaled(self, amount: float, n: int, published: int | None, digits: int = 1
               ) -> float | None:
        """A sum over a set's people (PD hours), scaled to the set's published count, so that
        dividing it by a session's length gives the perturbed count and nothing more."""
        if self.exact:
            return round(float(amount), digits)
        if published is None or not n:
            return None
        return float(round(float(amount) * published / int(n)))
