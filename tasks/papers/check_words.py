"""Validation checks and quarantine rules in plain words, for the data-quality report.

The rule names of Great Expectations (``expect_column_values_to_not_be_null``) and of the quarantine
(``month_in_window``) are an analyst's vocabulary; the restricted report keeps them beside the words,
the public one prints the words only.
"""

from __future__ import annotations

CHECK_WORDS = {
    "expect_column_to_exist": "the column is present",
    "expect_column_values_to_not_be_null": "no value is missing",
    "expect_column_values_to_be_in_set": "every value is one of those allowed",
    "expect_column_values_to_be_in_type_list": "every value is of the expected type",
    "expect_column_values_to_match_regex": "every value is in the expected format",
    "expect_column_values_to_be_between": "every value is within the expected range",
    "expect_column_values_to_be_unique": "no value appears twice",
    "expect_compound_columns_to_be_unique": "no record appears twice",
    "expect_table_row_count_to_be_between": "the file has the expected number of rows",
    "expect_column_pair_values_to_be_inside_polygons": "every location lies inside the area",
}


def in_words(name: str) -> str:
    """A check or rule name as a reader would say it: known ones from the list, others by their words."""
    if name in CHECK_WORDS:
        return CHECK_WORDS[name]
    words = name.removeprefix("expect_").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def check_label(name: str, public: bool) -> str:
    """Public: the words; restricted: the words with the rule name for the analyst."""
    words = in_words(name)
    return words if public else f"{words} ({name})"


def column_words(column: str, public: bool) -> str:
    """A column name as printed: 'lsoa_code' reads 'LSOA code' in public papers."""
    if not public or not column:
        return column
    words = column.replace("_", " ")
    for short in ("lsoa", "msoa", "id", "asb"):
        words = " ".join(w.upper() if w == short else w for w in words.split(" "))
    return words
