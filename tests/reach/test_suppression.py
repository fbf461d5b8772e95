"""Complementary suppression on its own: no withheld cell may follow from a total minus the rest."""

from services.reach.figures.suppression import suppressed_cells


class TestSuppressedCells:
    def test_one_small_cell_takes_the_next_smallest_with_it(self):
        values = {"a": 4, "b": 12, "c": 30, "total": 46}
        assert suppressed_cells(values, [["a", "b", "c", "total"]], min_cell_size=10) == {"a", "b"}

    def test_two_small_cells_protect_each_other(self):
        values = {"a": 4, "b": 3, "c": 30, "total": 37}
        assert suppressed_cells(values, [["a", "b", "c", "total"]], min_cell_size=10) == {"a", "b"}

    def test_withholding_spreads_across_rows_and_columns(self):
        # rows x, y, z; a cell withheld for its row makes its column need a partner too.
        values = {("x", "d"): 5, ("x", "t"): 20, ("x", "c"): 15,
                  ("y", "d"): 30, ("y", "t"): 50, ("y", "c"): 20,
                  ("z", "d"): 40, ("z", "t"): 70, ("z", "c"): 30}
        rows = [[(r, "d"), (r, "c"), (r, "t")] for r in "xyz"]
        columns = [[(r, col) for r in "xyz"] for col in "dct"]
        hidden = suppressed_cells(values, rows + columns, min_cell_size=10)
        for group in rows + columns:
            assert sum(cell in hidden for cell in group) != 1
        assert ("x", "d") in hidden

    def test_a_small_derived_cell_is_not_left_to_be_worked_out(self):
        values = {"multi": 45, "single": 3, "direct": 48}
        hidden = suppressed_cells(values, [["multi", "single", "direct"]], min_cell_size=10,
                                  derived={"single"})
        assert hidden == {"multi"}

    def test_a_zero_derived_cell_reveals_no_one(self):
        values = {"multi": 48, "single": 0, "direct": 48}
        assert suppressed_cells(values, [["multi", "single", "direct"]], min_cell_size=10,
                                derived={"single"}) == set()
