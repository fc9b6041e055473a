"""Small-number suppression: primary, derived, secondary, zeros, and rendering stored metrics."""

import pandas as pd
import pytest

from csp import metrics as M
from csp.suppression import (
    CONFIDENTIAL,
    PRIMARY,
    SECONDARY,
    display_metric,
    is_small,
    suppress_table,
    suppress_value,
    withhold,
)


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1234, "1,234"), (None, "n/a"), (float("nan"), "n/a"),
])
def test_single_value_rule_and_zero_is_shown(value, shown):
    assert suppress_value(value) == shown


def test_threshold_comes_from_the_caller():
    assert suppress_value(9, minimum=10) == "<10"
    assert suppress_value(10, minimum=10) == "10"
    assert not is_small(0) and is_small(2) and not is_small(5)


def test_rates_and_percentages_from_small_counts_are_withheld():
    assert withhold(12.5, [3, 240]) == CONFIDENTIAL
    assert withhold(12.5, [30, 240]) == "12.5"
    assert withhold(0.0, [0, 240]) == "0.0"  # zero is not small
    assert withhold(None, [30]) == "n/a"
    assert withhold(12.5, [30], base_suppressed=True) == CONFIDENTIAL


def test_one_suppressed_cell_in_a_column_hides_the_next_smallest_non_zero_cell():
    # Column total 60 is published: 3 alone would be 60 - (0 + 7 + 50) = 3, so the 7 goes too;
    # the 0 is skipped (a hidden zero beside a hidden 3 would pin the 3 to 3).
    table = pd.DataFrame({"n": [3, 0, 7, 50, 60]}, index=["a", "b", "c", "d", "Total"])
    result = suppress_table(table, col_total=None)
    assert result.status.at["a", "n"] == PRIMARY
    assert result.status.at["c", "n"] == SECONDARY
    assert result.status.at["b", "n"] == "" and result.status.at["d", "n"] == ""
    assert list(result.public["n"]) == ["<5", "0", CONFIDENTIAL, "50", "60"]


def test_two_small_cells_whose_sum_pins_them_down_are_protected():
    # 1 + 1 = 52 - 50: both would be recovered as 1, so the 50 is hidden as well.
    table = pd.DataFrame({"n": [1, 1, 50, 52]}, index=["a", "b", "c", "Total"])
    result = suppress_table(table, col_total=None)
    assert list(result.public["n"]) == ["<5", "<5", CONFIDENTIAL, "52"]


def test_two_small_cells_with_room_to_move_need_nothing_more():
    table = pd.DataFrame({"n": [2, 3, 50, 55]}, index=["a", "b", "c", "Total"])
    result = suppress_table(table, col_total=None)
    assert list(result.public["n"]) == ["<5", "<5", "50", "55"]


def test_secondary_cells_are_protected_across_rows_and_columns():
    # x/A=3 hides x/B=7 (row) and y/A=10 (column); then column B would give 7 = 24 - 8 - 9,
    # so y/B=8 is hidden too. Every hidden value now has more than one possible value.
    table = pd.DataFrame({"A": [3, 10, 20, 33], "B": [7, 8, 9, 24], "Total": [10, 18, 29, 57]},
                         index=["x", "y", "z", "Total"])
    result = suppress_table(table)
    assert result.public.loc["x"].tolist() == ["<5", CONFIDENTIAL, "10"]
    assert result.public.loc["y"].tolist() == [CONFIDENTIAL, CONFIDENTIAL, "18"]
    assert result.public.loc["z"].tolist() == ["20", "9", "29"]
    assert result.public.loc["Total"].tolist() == ["33", "24", "57"]


def test_total_is_hidden_when_no_other_cell_can_protect_the_small_one():
    # 1 and 5 add to 6: hiding the 5 still leaves 1 + 5 as the only way to make 6.
    table = pd.DataFrame({"n": [1, 5, 6]}, index=["a", "b", "Total"])
    assert list(suppress_table(table, col_total=None).public["n"]) == ["<5", CONFIDENTIAL, CONFIDENTIAL]


def test_a_total_hidden_elsewhere_is_not_given_away_by_its_published_cells():
    # The total is hidden in another table (presuppressed); its only non-zero cell would repeat it.
    table = pd.DataFrame({"n": [0, 6, 6]}, index=["a", "b", "Total"])
    result = suppress_table(table, col_total=None, presuppressed=[("Total", "n")])
    assert list(result.public["n"]) == ["0", CONFIDENTIAL, CONFIDENTIAL]


def test_table_without_small_numbers_is_unchanged():
    table = pd.DataFrame({"A": [10, 0, 10], "Total": [10, 0, 10]}, index=["x", "y", "Total"])
    result = suppress_table(table)
    assert not result.hidden.any().any()
    assert result.public.loc["y"].tolist() == ["0", "0"]


@pytest.mark.parametrize(("metric", "value", "flag", "shown"), [
    (M.COUNT, 3.0, True, "<5"),
    (M.COUNT, 3.0, None, "<5"),  # safety net without the flag
    (M.COUNT, 12.0, True, CONFIDENTIAL),  # secondary suppression
    (M.COUNT, 1234.0, False, "1,234"),
    (M.RATE_PER_1000, 2.345, True, CONFIDENTIAL),
    (M.RATE_PER_1000, 2.345, False, "2.3"),
    (M.SHARE_PCT, 12.34, False, "12.3%"),
    (M.CHANGE_PCT, -2.4, False, "-2%"),
    (M.CHANGE_P_VALUE, 0.0004, False, "<0.001"),
    (M.POPULATION, 3.0, False, "3"),  # census residents are not suppressed
    (M.RATE_PER_1000, None, False, "n/a"),
])
def test_display_metric_renders_stored_rows_for_papers(metric, value, flag, shown):
    assert display_metric(metric, value, flag) == shown
