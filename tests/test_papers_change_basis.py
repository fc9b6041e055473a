"""A total's change measured without a recording change says so beside the two totals it follows."""

from __future__ import annotations

from csp import metrics as M
from tasks.papers.words import change_basis


class _Metrics:
    def __init__(self, labels: dict[tuple[str, str, str], str]) -> None:
        self.labels = labels

    def label(self, metric: str, source: str, category: str = "All") -> str | None:
        return self.labels.get((metric, source, category))


def test_a_change_without_stepped_categories_names_them():
    mx = _Metrics({(M.CHANGE_RATIO, "police_uk", "All"): "excluding Criminal damage and arson, Drugs"})
    text = change_basis(mx)
    assert text == ("; change measured without criminal damage and arson and drugs, whose recording "
                    "changed during the two years")


def test_a_change_of_every_category_adds_nothing():
    assert change_basis(_Metrics({})) == ""
    assert change_basis(_Metrics({(M.CHANGE_RATIO, "police_uk", "All"): "something else"})) == ""
