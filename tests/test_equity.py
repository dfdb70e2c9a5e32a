"""Inequality and poverty measures: hand-computed cases and ipea's published values.

Small cases are derived by hand in comments. The Belo Horizonte sample (tests/data/bho, see
SOURCES.md there) is the one ipea's *accessibility* package ships; its published numbers come
from two places, cited at each test:

- VIGNETTE: https://ipeagit.github.io/accessibility/articles/inequality_and_poverty.html, the
  rendered vignette stored as ``articles/inequality_and_poverty.md`` on the gh-pages branch of
  github.com/ipeaGIT/accessibility at commit 5c55d85a5dee06166c6c738a9df0a188b7e84c8b (the
  reference pages ``reference/<function>.md`` of that commit print the same values), and its
  development build ``dev/articles/inequality_and_poverty.md`` at commit
  d92ffac2e40625a163be40331335474eea139ffc.
- TESTTHAT: ipea's unit tests ``tests/testthat/test-<function>.R``, with the commit given at each
  test, in the ``test_that("... correctly calculated")`` block. They round to 4 decimals, and
  run two identical modes, ``transit`` and ``transit2``, then drop one cell from ``transit2``.

ipea prints 7 significant digits; its vignette values are matched to all of them.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable import equity
from reachable.errors import InvalidParameterError, InvalidPointsError, ReachableWarning

BHO = Path(__file__).parent / "data" / "bho"

FIVE_CELLS = ["89a88cd909bffff", "89a88cdb57bffff", "89a88cdb597ffff", "89a88cdb5b3ffff", "89a88cdb5cfffff"]
"""The origins of ipea's testthat cases (test-theil_t.R swaps the first for 89a88cd900bffff)."""

PEOPLE = {"column": "x", "population": "population"}


def printed(value: float) -> float:
    """Half a unit of the 7th significant digit ipea prints: the tolerance of a printed value."""
    return 0.5 * 10 ** (math.floor(math.log10(abs(value))) - 6)


def only(frame: pd.DataFrame, name: str) -> float:
    assert len(frame) == 1
    return float(frame[name].iloc[0])


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def bho():
    land_use = pd.read_csv(BHO / "land_use.csv")
    matrix = pd.read_parquet(BHO / "travel_matrix.parquet")
    return matrix, land_use


@pytest.fixture(scope="module")
def access(bho):
    """ipea's ``cumulative_cutoff(travel_matrix, land_use_data, "jobs", "travel_time", 30)``."""
    matrix, land_use = bho
    return rc.measures.cumulative_cutoff(matrix, land_use, columns="jobs", cutoffs=30)


def two_modes(bho, origins):
    """ipea's testthat setup: the matrix twice, as modes ``transit`` and ``transit2``."""
    matrix, land_use = bho
    one = rc.measures.cumulative_cutoff(
        matrix[matrix["from_id"].isin(origins)], land_use, columns="jobs", cutoffs=30
    )
    return pd.concat([one.assign(mode="transit"), one.assign(mode="transit2")], ignore_index=True)


def without(frame, cell, mode="transit2"):
    return frame[~((frame["id"] == cell) & (frame["mode"] == mode))]


def values(frame, name, decimals=4):
    return frame[name].round(decimals).tolist()


@pytest.fixture
def two_cells():
    """A: 100 people reaching 10, income 1000; B: 300 people reaching 30, income 3000.

    Population shares p = 0.25, 0.75; mean accessibility mu = 0.25 * 10 + 0.75 * 30 = 25.
    """
    accessibility = pd.DataFrame({"id": ["A", "B"], "x": [10.0, 30.0]})
    people = pd.DataFrame({"id": ["A", "B"], "population": [100, 300], "income": [1000.0, 3000.0]})
    return accessibility, people


# --------------------------------------------------------------------------- Gini


def test_gini_two_cells(two_cells):
    # sorted by x: person-weighted access 1000, 9000 of 10000, Lorenz L = 0.1, 1.0;
    # G = 1 - [(0 + 0.1) 0.25 + (0.1 + 1) 0.75] = 1 - 0.85 = 0.15
    # (also sum_ij p_i p_j |x_i - x_j| / (2 mu) = 2 * 0.25 * 0.75 * 20 / 50 = 0.15)
    result = equity.gini_index(*two_cells, **PEOPLE)
    assert list(result.columns) == ["gini_index"]
    assert only(result, "gini_index") == pytest.approx(0.15)


def test_gini_equal_access_is_zero_and_no_access_is_nan(two_cells):
    accessibility, people = two_cells
    assert only(equity.gini_index(accessibility.assign(x=7.0), people, **PEOPLE), "gini_index") == (
        pytest.approx(0.0, abs=1e-12)
    )
    # all zero: the Lorenz curve is 0/0 (ipea gives NaN too)
    assert math.isnan(only(equity.gini_index(accessibility.assign(x=0.0), people, **PEOPLE), "gini_index"))


def test_cells_without_people_change_nothing(two_cells):
    accessibility, people = two_cells
    more = pd.concat([accessibility, pd.DataFrame({"id": ["C"], "x": [500.0]})], ignore_index=True)
    more_people = pd.concat(
        [people, pd.DataFrame({"id": ["C"], "population": [0], "income": [9000.0]})], ignore_index=True
    )
    for measure in (equity.gini_index, equity.theil_t, equity.fgt_poverty):
        extra = {"poverty_line": 20} if measure is equity.fgt_poverty else {}
        pd.testing.assert_frame_equal(
            measure(more, more_people, **PEOPLE, **extra), measure(accessibility, people, **PEOPLE, **extra)
        )
    assert only(
        equity.concentration_index(more, more_people, **PEOPLE, income="income"), "concentration_index"
    ) == pytest.approx(0.15)


def test_cells_only_in_sociodemographic_are_ignored(two_cells):
    accessibility, people = two_cells
    more_people = pd.concat(
        [people, pd.DataFrame({"id": ["Z"], "population": [5000], "income": [1.0]})], ignore_index=True
    )
    assert only(equity.gini_index(accessibility, more_people, **PEOPLE), "gini_index") == pytest.approx(0.15)


def test_gini_published(bho, access):
    # VIGNETTE, "Gini Index": 0.4715251 (also reference/gini_index.md)
    assert only(
        equity.gini_index(access, bho[1], column="jobs", population="population"), "gini_index"
    ) == pytest.approx(0.4715251, abs=printed(0.4715251))


def test_gini_testthat(bho):
    # TESTTHAT test-gini_index.R @ cde927f21825b1405b34cd11157054ba8ef8d06f: 0.1386 twice, then 0.1148
    frame = two_modes(bho, FIVE_CELLS)
    kwargs = {"column": "jobs", "population": "population", "group_by": "mode"}
    result = equity.gini_index(frame, bho[1], **kwargs)
    assert result["mode"].tolist() == ["transit", "transit2"]
    assert values(result, "gini_index") == [0.1386, 0.1386]
    result = equity.gini_index(without(frame, "89a88cdb5cfffff"), bho[1], **kwargs)
    assert values(result, "gini_index") == [0.1386, 0.1148]


# --------------------------------------------------------------------------- Palma


def palma_cells(incomes, people, reached):
    accessibility = pd.DataFrame({"id": list("abcde")[: len(reached)], "x": reached})
    sociodemographic = pd.DataFrame({"id": accessibility["id"], "population": people, "income": incomes})
    return accessibility, sociodemographic


def test_palma_ten_equal_cells():
    # incomes 1..10, 10 people each: 100 people, one level each, cumulated 10, 20, ..., 100;
    # 40th percentile: order 1 + 99 * 0.4 = 40.6, between the incomes at ranks 40 (4) and
    # 41 (5): 0.4 * 4 + 0.6 * 5 = 4.6; 90th: order 90.1, 0.9 * 9 + 0.1 * 10 = 9.1.
    # Poorest: incomes 1-4, reaching 100-400, mean 250; wealthiest: income 10, reaching 1000.
    accessibility = pd.DataFrame({"id": range(10), "x": [100.0 * (i + 1) for i in range(10)]})
    sociodemographic = pd.DataFrame({"id": range(10), "population": 10, "income": range(1, 11)})
    result = equity.palma_ratio(accessibility, sociodemographic, **PEOPLE, income="income")
    assert only(result, "palma_ratio") == pytest.approx(1000 / 250)


def test_palma_income_ties():
    # incomes 1, 2, 2, 3, 4 with 10, 30, 30, 20, 10 people: cumulated by level 10, 70, 90, 100.
    # 40th: order 40.6, ranks 40 and 41 both at income 2, so the percentile is 2 and both
    # cells tied at 2 are among the poorest (<=). 90th: order 90.1, ranks 90 (income 3) and 91
    # (income 4): 3.1, so only the cell at 4 is wealthiest.
    # Poorest mean (10*100 + 30*200 + 30*400) / 70 = 19000 / 70; palma = 900 * 70 / 19000 = 63/19
    cells = palma_cells([1, 2, 2, 3, 4], [10, 30, 30, 20, 10], [100.0, 200.0, 400.0, 300.0, 900.0])
    result = equity.palma_ratio(*cells, **PEOPLE, income="income")
    assert only(result, "palma_ratio") == pytest.approx(63 / 19)


def test_palma_cells_tied_with_the_90th_percentile_are_not_wealthiest():
    # incomes 1, 2, 3 with 10, 60, 30 people: cumulated 10, 70, 100; the 90th percentile
    # (order 90.1, ranks 90 and 91 both at income 3) is 3, and nobody is above it: NaN
    cells = palma_cells([1, 2, 3], [10, 60, 30], [5.0, 5.0, 5.0])
    assert math.isnan(only(equity.palma_ratio(*cells, **PEOPLE, income="income"), "palma_ratio"))


def test_palma_leaves_out_cells_without_income():
    accessibility = pd.DataFrame({"id": range(11), "x": [*(100.0 * (i + 1) for i in range(10)), 1e6]})
    sociodemographic = pd.DataFrame({"id": range(11), "population": 10, "income": [*range(1, 11), np.nan]})
    with pytest.warns(ReachableWarning, match="'income' is missing"):
        result = equity.palma_ratio(accessibility, sociodemographic, **PEOPLE, income="income")
    assert only(result, "palma_ratio") == pytest.approx(4.0)  # as in test_palma_ten_equal_cells


def test_palma_published(bho, access):
    # VIGNETTE, "Palma Ratio": 3.800465 (also reference/palma_ratio.md)
    result = equity.palma_ratio(
        access, bho[1], column="jobs", population="population", income="income_per_capita"
    )
    assert only(result, "palma_ratio") == pytest.approx(3.800465, abs=printed(3.800465))


def test_palma_testthat(bho):
    # TESTTHAT test-palma_ratio.R @ 0928c8a7a2c3d2ead78cce8572bd1e3672ea4479: 1.0911 twice,
    # then 0.5249; "handles missing data correctly": NA where a mode lacks the poorest or the
    # wealthiest cell
    kwargs = {"column": "jobs", "population": "population", "income": "income_per_capita", "group_by": "mode"}
    frame = two_modes(bho, FIVE_CELLS)
    assert values(equity.palma_ratio(frame, bho[1], **kwargs), "palma_ratio") == [1.0911, 1.0911]
    result = equity.palma_ratio(without(frame, "89a88cdb5cfffff"), bho[1], **kwargs)
    assert values(result, "palma_ratio") == [1.0911, 0.5249]
    pair = two_modes(bho, ["89a88cdb57bffff", "89a88cdb5b3ffff"])
    for cell in ("89a88cdb5b3ffff", "89a88cdb57bffff"):
        result = equity.palma_ratio(without(pair, cell), bho[1], **kwargs)
        assert result["palma_ratio"].iloc[0] == pytest.approx(0.5249, abs=5e-5)
        assert math.isnan(result["palma_ratio"].iloc[1])


# --------------------------------------------------------------------------- Theil T


def test_theil_two_cells(two_cells):
    # x / mu = 0.4 and 1.2: T = 0.25 * 0.4 ln 0.4 + 0.75 * 1.2 ln 1.2 = 0.1 ln 0.4 + 0.9 ln 1.2
    result = equity.theil_t(*two_cells, **PEOPLE)
    assert list(result.columns) == ["theil_t"]
    assert only(result, "theil_t") == pytest.approx(0.1 * math.log(0.4) + 0.9 * math.log(1.2))


def test_theil_equal_access_is_zero(two_cells):
    accessibility, people = two_cells
    result = equity.theil_t(accessibility.assign(x=3.0), people, **PEOPLE)
    assert only(result, "theil_t") == pytest.approx(0.0, abs=1e-12)


def test_theil_leaves_out_zero_access_as_ipea_code_does():
    # A (1 person) reaches 0, B and C (1 person each) reach 3: mu = 2, x / mu = 1.5 for B, C;
    # ipea sums over x > 0 and divides by their people: (2 * 1.5 ln 1.5) / 2 = 1.5 ln 1.5
    # (the usual index, 0 ln 0 = 0, would give 1/3 of the sum: ln 1.5)
    accessibility = pd.DataFrame({"id": list("ABC"), "x": [0.0, 3.0, 3.0]})
    people = pd.DataFrame({"id": list("ABC"), "population": [1, 1, 1]})
    assert only(equity.theil_t(accessibility, people, **PEOPLE), "theil_t") == pytest.approx(
        1.5 * math.log(1.5)
    )
    # nobody reaches anything: ipea omits the group, here it is NaN
    assert math.isnan(only(equity.theil_t(accessibility.assign(x=0.0), people, **PEOPLE), "theil_t"))
    # with groups the zero stays in: 0 ln 0 is NaN in group {A, B}, so within and total are
    # NaN; between: group means 1.5 and 3 over mu = 2, people 2/3 and 1/3:
    # 2/3 * 0.75 ln 0.75 + 1/3 * 1.5 ln 1.5 = 0.5 ln 1.125
    result = equity.theil_t(accessibility, people.assign(g=[1, 1, 2]), **PEOPLE, groups="g")
    between, within, total = result.summary["value"]
    assert between == pytest.approx(0.5 * math.log(1.125))
    assert math.isnan(within)
    assert math.isnan(total)


def test_theil_decomposition_two_groups(two_cells):
    # one cell per group: no inequality within; between = total, with access shares
    # s = 0.1, 0.9 and people shares p = 0.25, 0.75: s ln(s / p) = 0.1 ln 0.4, 0.9 ln 1.2
    accessibility, people = two_cells
    people = people.assign(decile=[1, 10])
    result = equity.theil_t(accessibility, people, **PEOPLE, groups="decile")
    assert isinstance(result, equity.TheilDecomposition)
    total = 0.1 * math.log(0.4) + 0.9 * math.log(1.2)
    summary = result.summary
    assert list(summary.columns) == ["component", "value", "share_of_total"]
    assert summary["component"].tolist() == ["between_group", "within_group", "total"]
    assert summary["value"].tolist() == pytest.approx([total, 0.0, total])
    assert summary["share_of_total"].tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert list(result.within_group_component.columns) == ["decile", "value", "share_of_component"]
    assert result.within_group_component["value"].tolist() == [0.0, 0.0]
    assert list(result.between_group_component.columns) == ["decile", "value"]
    assert result.between_group_component["decile"].tolist() == [1, 10]
    assert result.between_group_component["value"].tolist() == pytest.approx(
        [0.1 * math.log(0.4), 0.9 * math.log(1.2)]
    )


def test_theil_missing_group(two_cells):
    accessibility, people = two_cells
    # a cell without group and without people: a group of its own, whose Theil T is 0/0,
    # so the within-group component and the total are NaN, as in ipea
    more = pd.concat([accessibility, pd.DataFrame({"id": ["C"], "x": [50.0]})], ignore_index=True)
    more_people = pd.concat(
        [
            people.assign(decile=[1.0, 10.0]),
            pd.DataFrame({"id": ["C"], "population": [0], "decile": [np.nan]}),
        ],
        ignore_index=True,
    )
    with pytest.warns(ReachableWarning, match="'decile' is missing for 1 cells"):
        result = equity.theil_t(more, more_people, **PEOPLE, groups="decile")
    between, within, total = result.summary["value"]
    assert between == pytest.approx(0.1 * math.log(0.4) + 0.9 * math.log(1.2))
    assert math.isnan(within)
    assert math.isnan(total)
    assert result.within_group_component["decile"].isna().tolist() == [False, False, True]
    # with people, the missing group is an ordinary group: A alone vs B and C (no group)
    more_people.loc[2, "population"] = 300
    with pytest.warns(ReachableWarning):
        result = equity.theil_t(more, more_people, **PEOPLE, groups="decile")
    between, within, total = result.summary["value"]
    assert between + within == pytest.approx(total)
    assert total == pytest.approx(only(equity.theil_t(more, more_people, **PEOPLE), "theil_t"))


def test_theil_published(bho, access):
    # VIGNETTE, "Theil T" (also reference/theil_t.md): 0.3616631 without groups; by income
    # decile, after leaving out the cells without decile (no people) as the vignette does
    land_use = bho[1]
    kwargs = {"column": "jobs", "population": "population"}
    assert only(equity.theil_t(access, land_use, **kwargs), "theil_t") == pytest.approx(
        0.3616631, abs=printed(0.3616631)
    )
    no_decile = land_use.loc[land_use["income_decile"].isna(), "id"]
    result = equity.theil_t(
        access[~access["id"].isin(no_decile)],
        land_use[~land_use["id"].isin(no_decile)],
        **kwargs,
        groups="income_decile",
    )
    published = {
        "summary": [
            ("between_group", 0.1280753, 0.3541287),
            ("within_group", 0.2335878, 0.6458713),
            ("total", 0.3616631, 1.0000000),
        ],
        "within": [
            (0.009181454, 0.03930622),
            (0.011413697, 0.04886255),
            (0.019320622, 0.08271246),
            (0.023606928, 0.10106232),
            (0.031470429, 0.13472633),
            (0.023539337, 0.10077296),
            (0.033329635, 0.14268567),
            (0.032585905, 0.13950173),
            (0.020299031, 0.08690107),
            (0.028840780, 0.12346868),
        ],
        "between": [
            -0.037573783,
            -0.036276865,
            -0.031829123,
            -0.021600054,
            -0.009938574,
            -0.004401762,
            0.025936879,
            0.042240708,
            0.075742415,
            0.125775443,
        ],
    }
    for (component, value, share), row in zip(published["summary"], result.summary.itertuples(), strict=True):
        assert row.component == component
        assert row.value == pytest.approx(value, abs=printed(value))
        assert row.share_of_total == pytest.approx(share, abs=printed(share))
    within = result.within_group_component
    assert within["income_decile"].tolist() == list(range(1, 11))
    for (value, share), row in zip(published["within"], within.itertuples(), strict=True):
        assert row.value == pytest.approx(value, abs=printed(value))
        assert row.share_of_component == pytest.approx(share, abs=printed(share))
    for value, got in zip(published["between"], result.between_group_component["value"], strict=True):
        assert got == pytest.approx(value, abs=printed(value))


def test_theil_components_add_up(bho, access):
    land_use = bho[1]
    no_decile = land_use.loc[land_use["income_decile"].isna(), "id"]
    result = equity.theil_t(
        access[~access["id"].isin(no_decile)],
        land_use,
        column="jobs",
        population="population",
        groups="income_decile",
    )
    between, within, total = result.summary["value"]
    assert between + within == pytest.approx(total, rel=1e-12)
    assert result.between_group_component["value"].sum() == pytest.approx(between, rel=1e-12)
    assert result.within_group_component["value"].sum() == pytest.approx(within, rel=1e-12)
    assert result.within_group_component["share_of_component"].sum() == pytest.approx(1.0)
    assert result.summary["share_of_total"].tolist() == pytest.approx([between / total, within / total, 1.0])


def test_theil_testthat(bho):
    # TESTTHAT test-theil_t.R @ 2d975692f8f23414b9dc5e7e51469771ff5d2915, both "theil t is
    # correctly calculated" blocks, with the cells of missing decile left out of the data
    land_use = bho[1]
    sociodemographic = land_use[land_use["income_decile"].notna()]
    kwargs = {"column": "jobs", "population": "population", "group_by": "mode"}
    frame = two_modes(bho, ["89a88cd900bffff", *FIVE_CELLS[1:]])

    assert values(equity.theil_t(frame, sociodemographic, **kwargs), "theil_t") == [0.0852, 0.0852]
    result = equity.theil_t(without(frame, "89a88cdb5cfffff"), sociodemographic, **kwargs)
    assert values(result, "theil_t") == [0.0852, 0.0839]

    result = equity.theil_t(frame, sociodemographic, **kwargs, groups="income_decile")
    summary = result.summary
    assert summary["mode"].tolist() == ["transit"] * 3 + ["transit2"] * 3
    assert values(summary, "value") == [0.0515, 0.0337, 0.0852] * 2
    assert values(summary, "share_of_total") == [0.6044, 0.3956, 1.0] * 2
    within = result.within_group_component
    assert within["income_decile"].tolist() == [1, 3, 6, 10] * 2
    assert values(within, "value") == [0, 0, 0, 0.0337] * 2
    assert values(within, "share_of_component") == [0, 0, 0, 1] * 2
    assert values(result.between_group_component, "value") == [0.0243, -0.0579, -0.0042, 0.0894] * 2

    result = equity.theil_t(
        without(frame, "89a88cd900bffff"), sociodemographic, **kwargs, groups="income_decile"
    )
    transit2 = result.summary[result.summary["mode"] == "transit2"]
    assert values(transit2, "value") == [0.0021, 0.0357, 0.0378]
    assert values(transit2, "share_of_total") == [0.0545, 0.9455, 1.0]
    within = result.within_group_component
    assert within.loc[within["mode"] == "transit2", "income_decile"].tolist() == [1, 6, 10]
    assert values(within[within["mode"] == "transit2"], "value") == [0, 0, 0.0357]
    between = result.between_group_component
    assert values(between[between["mode"] == "transit2"], "value") == [-0.0142, -0.0113, 0.0276]


# --------------------------------------------------------------------------- concentration index


def test_concentration_two_cells(two_cells):
    # ranked by income (A then B): fractional ranks 0.125, 0.25 + 0.375 = 0.625;
    # C = 2 [0.25 (0.125 - 0.5)(10 - 25) + 0.75 (0.625 - 0.5)(30 - 25)] / 25
    #   = 2 (1.40625 + 0.46875) / 25 = 0.15; corrected 4 * 25 / (30 - 10) * 0.15 = 0.75
    kwargs = {**PEOPLE, "income": "income"}
    assert only(equity.concentration_index(*two_cells, **kwargs), "concentration_index") == pytest.approx(
        0.15
    )
    corrected = equity.concentration_index(*two_cells, **kwargs, type="corrected")
    assert only(corrected, "concentration_index") == pytest.approx(0.75)
    # the rich reaching less: the same magnitude, pro-poor
    accessibility, people = two_cells
    swapped = people.assign(income=[3000.0, 1000.0])
    result = equity.concentration_index(accessibility, swapped, **kwargs)
    assert only(result, "concentration_index") == pytest.approx(-0.15)


def test_concentration_equal_access(two_cells):
    accessibility, people = two_cells
    kwargs = {**PEOPLE, "income": "income"}
    equal = accessibility.assign(x=5.0)
    assert only(equity.concentration_index(equal, people, **kwargs), "concentration_index") == 0.0
    # corrected: 0 * 4 mu / (max - min) = 0 * inf, NaN as in ipea
    corrected = equity.concentration_index(equal, people, **kwargs, type="corrected")
    assert math.isnan(only(corrected, "concentration_index"))


def test_concentration_breaks_income_ties_in_row_order():
    # A and B, 1 person each, same income, reaching 0 and 2 (mu = 1): in the order A, B the
    # ranks are 0.25, 0.75 and C = 2 [0.5 (-0.25)(-1) + 0.5 (0.25)(1)] / 1 = 0.5; in the order
    # B, A it is -0.5 (ipea's stable sort does the same; its frames are sorted by id)
    people = pd.DataFrame({"id": ["A", "B"], "population": [1, 1], "income": [7.0, 7.0]})
    kwargs = {**PEOPLE, "income": "income"}
    forward = pd.DataFrame({"id": ["A", "B"], "x": [0.0, 2.0]})
    backward = forward.iloc[::-1]
    assert only(
        equity.concentration_index(forward, people, **kwargs), "concentration_index"
    ) == pytest.approx(0.5)
    assert only(equity.concentration_index(backward, people, **kwargs), "concentration_index") == (
        pytest.approx(-0.5)
    )


def test_concentration_ranks_missing_income_below_the_poorest(two_cells):
    # A without income is ranked first, as ipea's sort puts NA first: the two-cell value 0.15
    # (had A the top income, 5000, it would be -0.15)
    accessibility, people = two_cells
    kwargs = {**PEOPLE, "income": "income"}
    rich_a = people.assign(income=[5000.0, 500.0])
    assert only(equity.concentration_index(accessibility, rich_a, **kwargs), "concentration_index") == (
        pytest.approx(-0.15)
    )
    with pytest.warns(ReachableWarning, match="ranks them below the poorest"):
        result = equity.concentration_index(accessibility, people.assign(income=[np.nan, 500.0]), **kwargs)
    assert only(result, "concentration_index") == pytest.approx(0.15)


def test_concentration_published(bho, access):
    # VIGNETTE, "Concentration Index", type "corrected": 0.3346494 (also
    # reference/concentration_index.md); no standard value is published on these data
    result = equity.concentration_index(
        access, bho[1], column="jobs", population="population", income="income_per_capita", type="corrected"
    )
    assert only(result, "concentration_index") == pytest.approx(0.3346494, abs=printed(0.3346494))


def test_concentration_testthat(bho):
    # TESTTHAT test-concentration_index.R @ 4924678b412bf037b5ade1c0b6bad74347cee2a0:
    # standard -0.0248 twice then -0.1148, corrected -0.1314 twice then -0.8282
    kwargs = {"column": "jobs", "population": "population", "income": "income_per_capita", "group_by": "mode"}
    frame = two_modes(bho, FIVE_CELLS)
    dropped = without(frame, "89a88cdb5cfffff")
    index = "concentration_index"
    assert values(equity.concentration_index(frame, bho[1], **kwargs), index) == [-0.0248, -0.0248]
    assert values(equity.concentration_index(dropped, bho[1], **kwargs), index) == [-0.0248, -0.1148]
    corrected = {**kwargs, "type": "corrected"}
    assert values(equity.concentration_index(frame, bho[1], **corrected), index) == [-0.1314, -0.1314]
    assert values(equity.concentration_index(dropped, bho[1], **corrected), index) == [-0.1314, -0.8282]


# --------------------------------------------------------------------------- FGT


@pytest.fixture
def four_cells():
    """Accessibility 0, 50, 100, 150 for 10, 20, 30, 40 people (100 in all)."""
    accessibility = pd.DataFrame({"id": list("abcd"), "x": [0.0, 50.0, 100.0, 150.0]})
    people = pd.DataFrame({"id": list("abcd"), "population": [10, 20, 30, 40]})
    return accessibility, people


def fgt(frame):
    return [only(frame, name) for name in ("FGT0", "FGT1", "FGT2")]


def test_fgt_hand(four_cells):
    # line 100: a and b poor (c, at the line, is not); shortfalls 1 and 0.5:
    # FGT0 = 30/100; FGT1 = (10 * 1 + 20 * 0.5) / 100 = 0.2; FGT2 = (10 + 20 * 0.25) / 100 = 0.15
    result = equity.fgt_poverty(*four_cells, **PEOPLE, poverty_line=100)
    assert list(result.columns) == ["FGT0", "FGT1", "FGT2"]
    assert fgt(result) == pytest.approx([0.3, 0.2, 0.15])


def test_fgt_everyone_below_the_line(four_cells):
    # line 200: shortfalls 1, 0.75, 0.5, 0.25: FGT1 = (10 + 15 + 15 + 10) / 100 = 0.5;
    # FGT2 = (10 + 20 * 0.5625 + 30 * 0.25 + 40 * 0.0625) / 100 = 0.3125
    assert fgt(equity.fgt_poverty(*four_cells, **PEOPLE, poverty_line=200)) == pytest.approx([1, 0.5, 0.3125])
    # nobody reaching anything: every measure is 1
    accessibility, people = four_cells
    assert fgt(equity.fgt_poverty(accessibility.assign(x=0.0), people, **PEOPLE, poverty_line=200)) == [
        1,
        1,
        1,
    ]


def test_fgt_nobody_below_the_line(four_cells):
    # line 0 (nobody below it), or a line at the lowest accessibility: all 0
    assert fgt(equity.fgt_poverty(*four_cells, **PEOPLE, poverty_line=0)) == [0, 0, 0]
    accessibility, people = four_cells
    assert fgt(equity.fgt_poverty(accessibility.assign(x=100.0), people, **PEOPLE, poverty_line=100)) == [
        0,
        0,
        0,
    ]


def test_fgt_published(bho, access):
    # VIGNETTE, "Foster-Greer-Thorbecke (FGT) poverty measures", line 50000 (also
    # reference/fgt_poverty.md): 0.3923817 0.1776241 0.1010123; the development vignette
    # (dev/articles/inequality_and_poverty.md), line 95368: 0.5745378 0.3277383 0.2218769
    for line, published in (
        (50000, [0.3923817, 0.1776241, 0.1010123]),
        (95368, [0.5745378, 0.3277383, 0.2218769]),
    ):
        result = equity.fgt_poverty(access, bho[1], column="jobs", population="population", poverty_line=line)
        for got, value in zip(fgt(result), published, strict=True):
            assert got == pytest.approx(value, abs=printed(value))


def test_fgt_testthat(bho):
    # TESTTHAT test-fgt_poverty.R @ df79eff596e5f81e7395e5871061004f6d3adf8e: all 0 with
    # line 10000; with line 100000 FGT0 1, FGT1 0.5588, FGT2 0.3256, then 0.6367, 0.4129
    kwargs = {"column": "jobs", "population": "population", "group_by": "mode"}
    frame = two_modes(bho, FIVE_CELLS)
    result = equity.fgt_poverty(frame, bho[1], **kwargs, poverty_line=10000)
    assert result[["FGT0", "FGT1", "FGT2"]].to_numpy().tolist() == [[0, 0, 0], [0, 0, 0]]
    result = equity.fgt_poverty(without(frame, "89a88cdb5cfffff"), bho[1], **kwargs, poverty_line=100000)
    assert values(result, "FGT0") == [1, 1]
    assert values(result, "FGT1") == [0.5588, 0.6367]
    assert values(result, "FGT2") == [0.3256, 0.4129]


# --------------------------------------------------------------------------- group_by


MEASURES = [
    (equity.gini_index, {}),
    (equity.palma_ratio, {"income": "income_per_capita"}),
    (equity.theil_t, {}),
    (equity.concentration_index, {"income": "income_per_capita", "type": "corrected"}),
    (equity.fgt_poverty, {"poverty_line": 50000}),
]


@pytest.mark.parametrize(("measure", "extra"), MEASURES, ids=[m.__name__ for m, _ in MEASURES])
def test_two_cutoffs_at_once_equal_separate_calls(bho, measure, extra):
    matrix, land_use = bho
    both = rc.measures.cumulative_cutoff(matrix, land_use, columns="jobs", cutoffs=[30, 60])
    kwargs = {"column": "jobs", "population": "population", **extra}
    together = measure(both, land_use, **kwargs, group_by="cutoff")
    assert together["cutoff"].tolist() == [30, 60]
    for cutoff in (30, 60):
        alone = rc.measures.cumulative_cutoff(matrix, land_use, columns="jobs", cutoffs=cutoff)
        expected = measure(alone, land_use, **kwargs)
        got = together[together["cutoff"] == cutoff].drop(columns="cutoff").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)


def test_theil_decomposition_by_group(bho):
    matrix, land_use = bho
    both = rc.measures.cumulative_cutoff(matrix, land_use, columns="jobs", cutoffs=[30, 60])
    kwargs = {"column": "jobs", "population": "population", "groups": "income_decile"}
    sociodemographic = land_use[land_use["income_decile"].notna()]
    both = both[both["id"].isin(sociodemographic["id"])]
    together = equity.theil_t(both, sociodemographic, **kwargs, group_by=["cutoff"])
    alone = equity.theil_t(both[both["cutoff"] == 60].drop(columns="cutoff"), sociodemographic, **kwargs)
    for got, expected in zip(together, alone, strict=True):
        part = got[got["cutoff"] == 60].drop(columns="cutoff").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected)


def test_group_by_several_columns_and_a_geodataframe(two_cells):
    gpd = pytest.importorskip("geopandas")
    accessibility, people = two_cells
    frame = pd.concat(
        [accessibility.assign(mode=m, cutoff=c) for m in ("walk", "bike") for c in (30.0, 45.0)],
        ignore_index=True,
    )
    frame = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(range(len(frame)), range(len(frame))))
    result = equity.gini_index(frame, people, **PEOPLE, group_by=("mode", "cutoff"))
    assert type(result) is pd.DataFrame
    assert result[["mode", "cutoff"]].to_numpy().tolist() == [
        ["bike", 30.0],
        ["bike", 45.0],
        ["walk", 30.0],
        ["walk", 45.0],
    ]
    assert result["gini_index"].tolist() == pytest.approx([0.15] * 4)


def test_empty_accessibility_gives_empty_results(two_cells):
    accessibility, people = two_cells
    empty = accessibility.assign(mode="walk").iloc[:0]
    result = equity.gini_index(empty, people, **PEOPLE, group_by="mode")
    assert list(result.columns) == ["mode", "gini_index"]
    assert len(result) == 0
    assert len(equity.fgt_poverty(empty, people, **PEOPLE, poverty_line=1)) == 0
    decomposition = equity.theil_t(empty, people.assign(decile=1), **PEOPLE, groups="decile", group_by="mode")
    assert list(decomposition.summary.columns) == ["mode", "component", "value", "share_of_total"]
    assert list(decomposition.within_group_component.columns) == [
        "mode",
        "decile",
        "value",
        "share_of_component",
    ]
    assert all(len(frame) == 0 for frame in decomposition)


# --------------------------------------------------------------------------- missing values


def test_ids_absent_from_sociodemographic_make_their_group_nan(two_cells):
    accessibility, people = two_cells
    frame = pd.concat(
        [accessibility.assign(mode="walk"), pd.DataFrame({"id": ["Q"], "x": [5.0], "mode": ["bike"]})],
        ignore_index=True,
    )
    frame = pd.concat([frame, accessibility.assign(mode="bike")], ignore_index=True)
    with pytest.warns(ReachableWarning, match="1 ids of accessibility are absent from sociodemographic: 'Q'"):
        result = equity.gini_index(frame, people, **PEOPLE, group_by="mode")
    assert result["mode"].tolist() == ["bike", "walk"]
    assert math.isnan(result["gini_index"].iloc[0])
    assert result["gini_index"].iloc[1] == pytest.approx(0.15)


def test_missing_population_makes_the_measure_nan(two_cells):
    accessibility, people = two_cells
    people = people.astype({"population": float})
    people.loc[0, "population"] = np.nan
    with pytest.warns(ReachableWarning, match="'population' is missing"):
        result = equity.fgt_poverty(accessibility, people, **PEOPLE, poverty_line=20)
    assert all(math.isnan(v) for v in fgt(result))


def test_complete_data_raise_no_warning(bho, access):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        equity.palma_ratio(access, bho[1], column="jobs", population="population", income="income_per_capita")
        equity.concentration_index(
            access, bho[1], column="jobs", population="population", income="income_per_capita"
        )


# --------------------------------------------------------------------------- errors


def test_missing_columns_are_named(two_cells):
    accessibility, people = two_cells
    with pytest.raises(
        InvalidPointsError, match=r"accessibility has no column 'jobs' \(columns found: 'id', 'x'\)"
    ):
        equity.gini_index(accessibility, people, column="jobs", population="population")
    with pytest.raises(InvalidPointsError, match="sociodemographic has no column 'people'"):
        equity.gini_index(accessibility, people, column="x", population="people")
    with pytest.raises(InvalidPointsError, match="sociodemographic has no column 'income_per_capita'"):
        equity.palma_ratio(accessibility, people, **PEOPLE, income="income_per_capita")
    with pytest.raises(InvalidPointsError, match="accessibility has no column 'mode'"):
        equity.theil_t(accessibility, people, **PEOPLE, group_by="mode")
    with pytest.raises(InvalidPointsError, match="sociodemographic has no column 'decile'"):
        equity.theil_t(accessibility, people, **PEOPLE, groups="decile")


def test_negative_population_is_refused(two_cells):
    accessibility, people = two_cells
    with pytest.raises(InvalidPointsError, match="'population' has 1 negative values, at ids 'B'"):
        equity.gini_index(accessibility, people.assign(population=[100, -3]), **PEOPLE)


def test_bad_type_is_refused(two_cells):
    with pytest.raises(
        InvalidParameterError, match="type must be 'standard' or 'corrected', got 'erreygers'"
    ):
        equity.concentration_index(*two_cells, **PEOPLE, income="income", type="erreygers")


def test_bad_poverty_line_is_refused(four_cells):
    for line, message in ((-1, "poverty_line must be >= 0"), (np.nan, "must be finite"), ("10", "a number")):
        with pytest.raises(InvalidParameterError, match=message):
            equity.fgt_poverty(*four_cells, **PEOPLE, poverty_line=line)


def test_ids_repeated_within_a_group_name_the_columns_to_group_by(two_cells):
    accessibility, people = two_cells
    frame = pd.concat(
        [accessibility.assign(mode="walk"), accessibility.assign(mode="bike")], ignore_index=True
    )
    with pytest.raises(InvalidPointsError, match=r"2 ids on several rows.*group_by=\('mode',\)"):
        equity.gini_index(frame, people, **PEOPLE)


def test_other_input_errors(two_cells):
    accessibility, people = two_cells
    with pytest.raises(InvalidParameterError, match="group_by cannot include 'id'"):
        equity.gini_index(accessibility, people, **PEOPLE, group_by="id")
    with pytest.raises(InvalidParameterError, match="column must be a column name"):
        equity.gini_index(accessibility, people, column=1, population="population")
    with pytest.raises(InvalidPointsError, match="must be a pandas"):
        equity.gini_index(accessibility.to_dict(), people, **PEOPLE)
    with pytest.raises(InvalidPointsError, match="duplicate ids: 'A'"):
        equity.gini_index(accessibility, pd.concat([people, people.iloc[:1]]), **PEOPLE)
    with pytest.raises(InvalidPointsError, match="no id of accessibility is in sociodemographic"):
        equity.gini_index(accessibility, people.assign(id=[1, 2]), **PEOPLE)
    with pytest.raises(InvalidPointsError, match="'x' must hold numbers"):
        equity.gini_index(accessibility.assign(x=["a", "b"]), people, **PEOPLE)
