"""Disclosure control for partners (M21): small cells withheld, and enough others withheld with
them that no withheld cell can be worked out from a total minus the cells still shown."""

from collections.abc import Collection, Hashable, Iterable, Mapping


def suppressed_cells(values: Mapping[Hashable, int], groups: Iterable[Iterable[Hashable]], *,
                     min_cell_size: int, derived: Collection[Hashable] = ()) -> set[Hashable]:
    """The published cells to withhold.

    Every published cell counting fewer than `min_cell_size` people is withheld (zero included:
    the rule as the network states it). `groups` are cells bound by one additive relation whose
    margin the reader can see (a row's parts and its total; a column's rows, which add up to a
    published figure). A group in which exactly one cell is unknown to the reader gives that cell
    away, so while such a cell needs protecting the next smallest shown cell of the group is
    withheld too.

    `derived` cells are never published but follow from published ones (single-session direct
    reach = direct - multi-session): unknown to the reader, and in need of protection only when
    they count between one and min_cell_size - 1 people.
    """
    groups = [list(group) for group in groups]
    derived = set(derived)
    hidden = {c for c, v in values.items() if c not in derived and v < min_cell_size}
    sensitive_derived = {c for c in derived if 0 < values[c] < min_cell_size}
    changed = True
    while changed:
        changed = False
        for group in groups:
            unknown = [cell for cell in group if cell in hidden or cell in derived]
            if len(unknown) != 1 or not (unknown[0] in hidden or unknown[0] in sensitive_derived):
                continue
            shown = [cell for cell in group if cell not in hidden and cell not in derived]
            if shown:
                hidden.add(min(shown, key=lambda cell: (values[cell], str(cell))))
                changed = True
    return hidden
