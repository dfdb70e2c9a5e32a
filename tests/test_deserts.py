"""Mobility deserts: hand-computed flags, shortfalls and FGT measures, then POA recomputed by hand."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.deserts import weighted_quantile
from reachable.equity import fgt

matplotlib.use("Agg")


def frames(values, people, *, modes=("transit",), cutoff=45, groups=None):
    """An accessibility frame of one value per cell and mode, and the cells' people."""
    ids = [f"c{i}" for i in range(len(people))]
    acc = pd.concat(
        [
            pd.DataFrame({"id": ids, "mode": mode, "cutoff": cutoff, "jobs": v})
            for mode, v in zip(modes, values, strict=True)
        ]
    )
    cells = pd.DataFrame({"id": ids, "population": people})
    if groups is not None:
        cells["decile"] = groups
    return acc, cells


def test_an_absolute_line_by_hand():
    # Cells reach 0, 50, 100, 200 jobs; line 100; people 10, 30, 40, 20.
    acc, cells = frames([[0, 50, 100, 200]], [10, 30, 40, 20])
    d = rc.deserts(acc, cells, column="jobs", mode="transit", line=100)
    assert d.cells["desert"].tolist() == [True, True, False, False]  # 100 is on the line: not below it
    np.testing.assert_allclose(d.cells["shortfall"], [1.0, 0.5, 0.0, 0.0])
    row = d.summary.iloc[0]
    assert row["population"] == 100 and row["in_deserts"] == 40
    # FGT0 = 40 / 100; FGT1 = (10 x 1 + 30 x 0.5) / 100; FGT2 = (10 x 1 + 30 x 0.25) / 100.
    assert (row["fgt0"], row["fgt1"], row["fgt2"]) == pytest.approx((0.4, 0.25, 0.175))
    assert d.settings["threshold"] == 100


def test_a_line_relative_to_the_median_by_hand():
    # Population-weighted median of 0, 50, 100, 200 with people 10, 30, 40, 20: the cumulative
    # people reach half (50) at the third cell: 100. Half of it: 50.
    acc, cells = frames([[0, 50, 100, 200]], [10, 30, 40, 20])
    d = rc.deserts(acc, cells, column="jobs", mode="transit", line=0.5, relative_to="median")
    assert d.settings["threshold"] == 50
    assert d.cells["desert"].tolist() == [True, False, False, False]
    assert d.summary["fgt0"].iloc[0] == pytest.approx(0.1)


def test_a_line_relative_to_the_car_by_hand():
    # Transit 10, 60, 0; car 100, 100, 0: ratios 0.1, 0.6 and 1 (the car reaches nothing: nothing missed).
    acc, cells = frames([[10, 60, 0], [100, 100, 0]], [5, 5, 5], modes=("transit", "car"))
    d = rc.deserts(acc, cells, column="jobs", mode="transit", line=0.5, relative_to="car")
    np.testing.assert_allclose(d.cells["accessibility"], [0.1, 0.6, 1.0])
    assert d.cells["desert"].tolist() == [True, False, False]
    np.testing.assert_allclose(d.cells["shortfall"], [0.8, 0.0, 0.0])


def test_edge_cases_equal_access_all_below_zero_population():
    acc, cells = frames([[10, 10, 10]], [1, 2, 3])
    d = rc.deserts(acc, cells, column="jobs", mode="transit", line=0.5, relative_to="median")
    assert not d.cells["desert"].any() and d.summary["fgt0"].iloc[0] == 0  # nobody below half of 10
    d = rc.deserts(acc, cells, column="jobs", mode="transit", line=20)
    assert d.cells["desert"].all()
    assert tuple(d.summary[["fgt0", "fgt1", "fgt2"]].iloc[0]) == pytest.approx((1.0, 0.5, 0.25))
    acc, cells = frames([[0, 10]], [0, 0])
    d = rc.deserts(acc, cells, column="jobs", mode="transit", line=5)
    assert d.summary["population"].iloc[0] == 0 and np.isnan(d.summary["fgt0"].iloc[0])


def test_the_summary_by_income_group_and_missing_groups():
    acc, cells = frames([[0, 50, 100, 200]], [10, 30, 40, 20], groups=[1, 1, 2, np.nan])
    d = rc.deserts(acc, cells, column="jobs", mode="transit", line=100, income_group="decile")
    by = d.summary.set_index("decile")
    assert by.loc[1, "fgt0"] == 1.0 and by.loc[2, "fgt0"] == 0.0
    assert by.loc["all", "population"] == 100 and np.isnan(by.index[2])  # cells without a group kept apart


def test_temporal_deserts_from_a_profile():
    times = pd.to_datetime(["2019-05-13 06:00", "2019-05-13 12:00"])
    prof = pd.DataFrame({"id": ["a", "a", "b", "b"], "mode": "transit", "cutoff": 45, "time": list(times) * 2,
                         "jobs": [0, 500, 300, 600]})  # fmt: skip
    cells = pd.DataFrame({"id": ["a", "b"], "population": [100, 50]})
    d = rc.deserts(prof, cells, column="jobs", mode="transit", line=400)
    hours = d.desert_hours.set_index("id")
    assert hours.loc["a", "hours"] == 1 and hours.loc["a", "times"] == "06:00"
    assert hours.loc["b", "times"] == "06:00"
    assert d.summary.set_index("time")["fgt0"].tolist() == [1.0, 0.0]


def test_bad_input():
    acc, cells = frames([[1, 2]], [1, 1])
    with pytest.raises(rc.InvalidParameterError, match="positive number"):
        rc.deserts(acc, cells, column="jobs", mode="transit", line=0)
    with pytest.raises(rc.InvalidParameterError, match=r"share of it, in \(0, 1\]"):
        rc.deserts(acc, cells, column="jobs", mode="transit", line=50, relative_to="median")
    with pytest.raises(rc.InvalidParameterError, match="mode 'car' is not in accessibility"):
        rc.deserts(acc, cells, column="jobs", mode="transit", line=0.5, relative_to="car")
    with pytest.raises(rc.InvalidPointsError, match="must hold people"):
        rc.deserts(acc, cells.assign(population=[1, -1]), column="jobs", mode="transit", line=1)
    with pytest.raises(rc.InvalidPointsError, match="not in cells"):
        rc.deserts(acc, cells.iloc[:1], column="jobs", mode="transit", line=1)
    with pytest.raises(rc.InvalidParameterError, match="relative_to"):
        rc.deserts(acc, cells, column="jobs", mode="transit", line=1, relative_to="mean")


def test_helpers_by_hand():
    assert weighted_quantile(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 5.0]), 50) == 2.0
    assert fgt(np.array([0.5, 0.0]), np.array([1.0, 3.0])) == pytest.approx((0.25, 0.125, 0.0625))


@pytest.fixture(scope="module")
def poa_access(poa_transit, hexes):
    return rc.accessibility(
        poa_transit, hexes, hexes.fillna({"jobs": 0}), columns=["jobs"], mode=["transit", "car"],
        cutoffs=[45], departure="2019-05-13 14:00", progress=False,
    )  # fmt: skip


def test_on_poa_flags_and_totals_recomputed_by_hand(poa_access, hexes):
    d = rc.deserts(
        poa_access, hexes, column="jobs", mode="transit", cutoff=45, line=0.5, relative_to="median"
    )
    transit = poa_access[poa_access["mode"] == "transit"].set_index("id")["jobs"]
    people = hexes.set_index("id")["population"].reindex(transit.index).to_numpy(float)
    values = transit.to_numpy(float)
    order = np.argsort(values, kind="stable")
    half = np.searchsorted(np.cumsum(people[order]), people.sum() / 2)
    line = 0.5 * values[order][half]
    flags = values < line
    assert d.settings["threshold"] == line
    assert d.cells.set_index("id").loc[transit.index, "desert"].tolist() == flags.tolist()
    assert d.summary["in_deserts"].iloc[0] == people[flags].sum()
    assert d.summary["fgt0"].iloc[0] == pytest.approx(people[flags].sum() / people.sum())
    gap = np.where(flags, (line - values) / line, 0)
    assert d.summary["fgt2"].iloc[0] == pytest.approx((people * gap**2).sum() / people.sum())
    # Some people live in deserts, not all; and the car reaches more than transit everywhere.
    assert 0 < d.summary["fgt0"].iloc[0] < 0.5
    against_car = rc.deserts(poa_access, hexes, column="jobs", mode="transit", line=0.5, relative_to="car")
    assert (against_car.cells["accessibility"] <= 1 + 1e-12).all()


def test_pictures_draw(poa_transit, poa_access, hexes):
    d = rc.deserts(poa_access, hexes, column="jobs", mode="transit", cutoff=45, line=50000)
    ax = rc.plot.desert_map(d, network=poa_transit)
    assert "Deserts: jobs reachable by transit within 45 min below 50,000" in ax.get_title()
    ax = rc.plot.lorenz(poa_access, hexes, column="jobs")
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[0].startswith("transit: Gini ") and labels[-1] == "equality"


def test_the_gini_of_the_lorenz_curve_by_hand():
    # Two cells: 1 person reaching 0, 1 person reaching 10: the curve (0,0), (0.5,0), (1,1);
    # the area under it is 0.25, so the Gini index is 1 - 2 x 0.25 = 0.5.
    x, y = rc.plot.lorenz_points([0, 10], [1, 1])
    np.testing.assert_allclose(x, [0, 0.5, 1])
    np.testing.assert_allclose(y, [0, 0, 1])


BHO = Path(__file__).parent / "data" / "bho"


@pytest.fixture(scope="module")
def belo_horizonte():
    land_use = pd.read_csv(BHO / "land_use.csv")
    matrix = pd.read_parquet(BHO / "travel_matrix.parquet")
    acc = rc.measures.cumulative_cutoff(matrix, land_use, columns="jobs", cutoffs=30).assign(mode="transit")
    return acc, land_use


def test_the_lorenz_curve_drawn_has_the_gini_of_equity(belo_horizonte):
    acc, land_use = belo_horizonte
    gini = rc.equity.gini_index(acc, land_use, column="jobs", population="population")["gini_index"].iloc[0]
    ax = rc.plot.lorenz(acc, land_use, column="jobs")
    x, y = ax.get_lines()[0].get_data()
    assert 1 - 2 * np.trapezoid(y, x) == pytest.approx(gini, abs=1e-12)
    assert ax.get_legend().get_texts()[0].get_text() == f"transit: Gini {gini:.3f}"
    assert round(gini, 4) == 0.4715  # ipea's published value on this sample (see test_equity.py)


def test_deserts_fgt_equal_equity_fgt_poverty_by_income_decile(belo_horizonte):
    acc, land_use = belo_horizonte
    d = rc.deserts(acc, land_use, column="jobs", mode="transit", line=50000, income_group="income_decile")
    whole = rc.equity.fgt_poverty(acc, land_use, column="jobs", population="population", poverty_line=50000)
    everyone = d.summary[d.summary["income_decile"] == "all"].iloc[0]
    for ours, theirs in (("fgt0", "FGT0"), ("fgt1", "FGT1"), ("fgt2", "FGT2")):
        assert everyone[ours] == pytest.approx(whole[theirs].iloc[0], abs=1e-12)
    poorest = d.summary[d.summary["income_decile"] == 1].iloc[0]
    richest = d.summary[d.summary["income_decile"] == 10].iloc[0]
    assert poorest["fgt0"] > richest["fgt0"]  # the poor live in deserts more often
    ax = rc.plot.by_income(acc, land_use, column="jobs")
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(d) for d in range(1, 11)]
