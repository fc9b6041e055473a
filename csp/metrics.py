"""The vocabulary of the ``metric`` table: the contract between assessment, priorities and papers.

Every stored metric row has: metric, source_kind, category ("All" for totals), area_type, area_code,
area_name, period, value (float or None when it cannot be computed: never inf), label, input_file_ids,
run_id. The names below are the only ones written; readers import them from here.
"""

# area_type values
PARTNERSHIP = "partnership"
AREA = "area"  # the configured area unit (MSOA by default, or the partnership's lookup)
LSOA = "lsoa"

# period values: "current" (the 12-month assessment period), "previous" (the 12 months before),
# or a month "YYYY-MM" for monthly series, or "m01".."m12" for month-of-year means.
CURRENT = "current"
PREVIOUS = "previous"

# Levels and mix (partnership; also per area and LSOA for COUNT)
COUNT = "count"
SHARE_PCT = "share_pct"  # category share of the source's total; or area share of partnership total

# Change against the previous period (partnership, per category and "All"; also per area for "All")
CHANGE_COUNT = "change_count"
CHANGE_PCT = "change_pct"  # None where previous is zero
CHANGE_P_VALUE = "change_p_value"  # exact conditional binomial test on the two counts
CHANGE = "change"  # value = change_pct; label one of CHANGE_LABELS
CHANGE_LABELS = (
    "significant increase",
    "significant decrease",
    "no significant change",
    "no comparable period",
)

# Within-period trend (Poisson regression of monthly counts on month index)
TREND_RATIO = "trend_monthly_ratio"  # rate ratio per month; label one of TREND_LABELS
TREND_P_VALUE = "trend_p_value"
TREND_LABELS = ("rising", "falling", "stable", "too few months")

# Monthly series (period "YYYY-MM") and seasonality (period "m01".."m12")
MONTHLY_COUNT = "monthly_count"
ROLLING_MEAN_3M = "rolling_mean_3m"
MONTH_OF_YEAR_MEAN = "month_of_year_mean"

# Places (area_type AREA or LSOA)
POPULATION = "population"
RATE_PER_1000 = "rate_per_1000"  # None where population missing or below the threshold
TOP_RATE = "top_rate"  # 1.0 when the area is in the top share by rate for the category
TOP_RATE_CATEGORIES = "top_rate_categories"  # per area, category "All": how many categories
RANK_BY_RATE = "rank_by_rate"
POPULATION_COVERAGE_PCT = "population_coverage_pct"  # rows placed in an area with a population
# Per area (area_type AREA, source_kind "population", category "All", period "current"): the share, from
# 0 to 1, of the area's Census 2021 residents who live in LSOAs created since 2011 (2021 LSOAs that are
# parts of a split 'S' or irregular 'X' change in the ONS exact-fit lookup, or absent from 2011): the
# mark of new homes. None under 2011 geography. Priorities use it to class growth areas as Preventing.
NEW_HOMES_SHARE = "new_homes_share"
NEW_LSOA_CHANGES = ("S", "X", "new")  # population.lsoa_change values that count as created since 2011

# Concentration
HOTSPOT_SHARE_PCT = "hotspot_share_pct"  # share of incidents in the top 10% of LSOAs
HOTSPOT = "hotspot"  # per LSOA, label "new", "persistent", "diminishing" or "current"

# Data quality (from validation). Under 2021 geography the LSOA match is the share of police rows with an
# LSOA whose code is a 2021 LSOA or maps to one from 2011; the MSOA match the share placed in an MSOA.
LSOA_MATCH_RATE_PCT = "lsoa_match_rate_pct"
MSOA_MATCH_RATE_PCT = "msoa_match_rate_pct"
# Police rows of the period whose LSOA was mapped from a 2011 code (partnership; label says how many
# were splits given to the largest part); rows with an LSOA code in neither file
ROWS_MAPPED_FROM_2011 = "rows_mapped_from_2011"
ROWS_UNMATCHED_LSOA = "rows_unmatched_lsoa"

# Completeness of the assessment period (partnership, source "police_uk", period "current"): months
# present and months expected; label "complete" or "accepted incomplete" (operator's --accept-incomplete)
PERIOD_MONTHS_PRESENT = "period_months_present"
PERIOD_MONTHS_EXPECTED = "period_months_expected"

# --- Added by the strategic assessment stage (names only added, none renamed) ---

# area_type for partner sources that name their own areas (e.g. ambulance call-outs by ward)
PARTNER_AREA = "partner_area"

# Quarterly series of sources reported by quarter (IDVA): period "YYYY-MM", the quarter's first month
QUARTERLY_COUNT = "quarterly_count"

# Months of data a source has in a period (period "current"/"previous"); label "complete"/"incomplete"
MONTHS_COVERED = "months_covered"
COVERAGE_LABELS = ("complete", "incomplete")

# Rows of a category that could not be given a rate (no area, or an area without a usable
# population); area_type AREA or LSOA, area_code None, period "current"
NOT_PLACED_COUNT = "not_placed_count"

# Labels of RATE_PER_1000 rows whose value is None ("no rows matched": a populated area with no police
# rows at all under its name or code, i.e. a boundary or code change, not a real zero), and of
# MONTHLY_COUNT rows for a month with no data
RATE_NOT_GIVEN_LABELS = ("no population", "population below threshold", "no rows matched")
NO_DATA = "no data received"

# Finding.theme of cross-cutting findings (all police-recorded incidents, concentration, coverage);
# every other finding carries a theme id from csp/themes.py
OVERVIEW_THEME = "overview"

# --- Added for honest tests of change (issue 8; names only added, none renamed) ---
# Each test (partnership per source and category, area per "All") also stores its effect size with a
# 95% interval, the Benjamini-Hochberg q-value and the method (tasks/assess/stats.py, METHODS):
CHANGE_RATIO = "change_rate_ratio"  # this period's rate over the previous one's
CHANGE_RATIO_LOW = "change_rate_ratio_low"  # 95% interval
CHANGE_RATIO_HIGH = "change_rate_ratio_high"
CHANGE_Q_VALUE = "change_q_value"  # Benjamini-Hochberg adjusted p-value (CHANGE_P_VALUE stays raw)
CHANGE_METHOD = "change_method"  # label: method id; value: dispersion factor used (>= 1)
TREND_RATIO_LOW = "trend_monthly_ratio_low"
TREND_RATIO_HIGH = "trend_monthly_ratio_high"
TREND_Q_VALUE = "trend_q_value"
TREND_METHOD = "trend_method"  # label: method id; value: dispersion factor used (>= 1)
# One row per assessment (partnership level, source_kind "all", category "All"): how many tests were
# adjusted together (value) and the method (label, "fdr_bh").
TEST_FAMILY = "tests_adjusted"

# A CHANGE (or TREND_RATIO) label used when a recording step lies in the compared months and no
# analyst has accepted it: the comparison is not a crime change and is kept out of findings and scores.
RECORDING_CHANGE_LABEL = "recording change"

# Recording steps (tasks/assess/steps.py), read by the data-quality report: one row per detected
# sustained level shift in a source's monthly series, source_kind/category of the series, area_type
# PARTNERSHIP, period = first month at the new level ("YYYY-MM"), value = ratio new level / old level,
# label "not accepted" (kept out of findings and priorities) or "accepted" (configured by an analyst).
RECORDING_STEP = "recording_step"
RECORDING_STEP_LABELS = ("not accepted", "accepted")

# Label of TOP_RATE rows for areas tied at the threshold rate: the top share then holds more than
# floor(share x areas) areas, and the papers say so.
TOP_RATE_TIED = "tied at the threshold"
