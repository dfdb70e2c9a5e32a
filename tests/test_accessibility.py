"""rc.accessibility and rc.isochrones on Porto Alegre, against the matrix and the measures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import reachable as rc

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
DEPARTURE = "2019-05-13 14:00"


@pytest.fixture(scope="module")
def network(poa, tmp_path_factory):
    return rc.Network.build(
        poa.osm, gtfs=list(poa.gtfs), date="2019-05-13", cache_dir=tmp_path_factory.mktemp("c")
    )


@pytest.fixture(scope="module")
def places(hexes):
    return hexes.fillna({"jobs": 0, "healthcare": 0})


@pytest.fixture(scope="module")
def origins(places):
    return places.iloc[::20].reset_index(drop=True)


def by_id(frame, columns):
    return frame.set_index("id")[columns].sort_index()


@pytest.mark.parametrize(
    ("mode", "settings"),
    [
        ("walk", {}),
        ("bike", {}),
        ("transit", {"departure": DEPARTURE, "time_window": 20, "percentiles": (50,)}),
    ],
)
def test_cumulative_equals_the_measure_on_the_matrix(network, origins, places, mode, settings):
    cutoffs = [15, 30, 45]
    acc = rc.accessibility(
        network, origins, places, columns=["jobs", "schools"], mode=mode, cutoffs=cutoffs, **settings
    )
    ttm = rc.travel_time_matrix(network, origins, places, mode=mode, max_time=max(cutoffs), **settings)
    expected = rc.measures.cumulative_cutoff(ttm, places, columns=["jobs", "schools"], cutoffs=cutoffs)
    for cutoff in cutoffs:
        ours = by_id(acc[(acc["mode"] == mode) & (acc["cutoff"] == cutoff)], ["jobs", "schools"])
        theirs = by_id(expected[expected["cutoff"] == cutoff], ["jobs", "schools"])
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=False, rtol=1e-12)
    # More time never reaches less.
    wide = acc.pivot_table(index="id", columns="cutoff", values="jobs")
    assert (np.diff(wide.to_numpy(), axis=1) >= 0).all()
    assert wide[45].sum() > wide[15].sum()


def test_gravity_equals_the_measure_on_the_matrix(network, origins, places):
    decay = rc.decay.exponential(0.1)
    acc = rc.accessibility(
        network, origins, places, columns=["jobs"], mode="car", measure="gravity", decay=decay, max_time=60
    )
    ttm = rc.travel_time_matrix(network, origins, places, mode="car", max_time=60)
    expected = rc.measures.gravity(ttm, places, columns=["jobs"], decay=decay)
    pd.testing.assert_frame_equal(
        by_id(acc, ["jobs"]), by_id(expected, ["jobs"]), check_dtype=False, rtol=1e-9
    )
    assert "cutoff" not in acc.columns


def test_tidy_frame_with_several_modes_and_percentiles(network, origins, places):
    acc = rc.accessibility(
        network, origins, places, columns=["jobs"], mode=["walk", "transit"], cutoffs=[30, 60],
        departure=DEPARTURE, time_window=10, percentiles=(25, 75),
    )  # fmt: skip
    assert list(acc.columns) == ["id", "mode", "cutoff", "percentile", "jobs", "geometry"]
    assert len(acc) == len(origins) * 2 * 2 * 2
    assert acc.crs == origins.crs
    transit = acc[acc["mode"] == "transit"].pivot_table(
        index=["id", "cutoff"], columns="percentile", values="jobs"
    )
    # The 25th percentile of travel time is shorter, so it reaches at least as much.
    assert (transit[25.0] >= transit[75.0]).all()


def test_polygon_opportunities_count_at_a_point_inside(network, origins, places):
    squares = places.to_crs(31982)
    squares["geometry"] = squares.buffer(150, cap_style="square")
    from_squares = rc.accessibility(network, origins, squares, columns=["jobs"], mode="walk", cutoffs=[30])
    from_points = rc.accessibility(network, origins, places, columns=["jobs"], mode="walk", cutoffs=[30])
    # The representative point of a square around a centroid is near, not at, the centroid.
    ratio = from_squares["jobs"].sum() / from_points["jobs"].sum()
    assert 0.8 < ratio < 1.2


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"columns": ["nothing"]}, rc.InvalidPointsError, "no column 'nothing'"),
        ({"cutoffs": [0]}, rc.InvalidParameterError, "cutoffs"),
        ({"cutoffs": None}, rc.InvalidParameterError, "needs cutoffs"),
        ({"measure": "gravity", "cutoffs": None}, rc.InvalidParameterError, "needs a decay"),
        ({"measure": "2sfca"}, rc.InvalidParameterError, "measure must be one of"),
        ({"mode": "plane"}, rc.UnknownModeError, "plane"),
    ],
)
def test_bad_accessibility_input(network, origins, places, options, error, message):
    kwargs = {"columns": ["jobs"], "mode": "walk", "cutoffs": [30], **options}
    with pytest.raises(error, match=message):
        rc.accessibility(network, origins, places, **kwargs)


def test_nan_negative_or_text_counts_are_refused(network, origins, places):
    with pytest.raises(rc.InvalidPointsError, match="5 NaN counts"):
        rc.accessibility(
            network, origins, rc.datasets.porto_alegre_hexgrid(), columns=["jobs"], mode="walk", cutoffs=[30]
        )
    negative = places.assign(jobs=-places["jobs"] - 1)
    with pytest.raises(rc.InvalidPointsError, match="negative"):
        rc.accessibility(network, origins, negative, columns=["jobs"], mode="walk", cutoffs=[30])
    text = places.assign(jobs=places["jobs"].astype(str))
    with pytest.raises(rc.InvalidPointsError, match="numeric"):
        rc.accessibility(network, origins, text, columns=["jobs"], mode="walk", cutoffs=[30])
