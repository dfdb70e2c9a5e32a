"""rc.accessibility and rc.isochrones on Porto Alegre, against the matrix and the measures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

import reachable as rc

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
DEPARTURE = "2019-05-13 14:00"


@pytest.fixture(scope="module")
def network(poa, tmp_path_factory):
    return rc.Network.build(
        poa.osm, gtfs=list(poa.gtfs), date="2019-05-13", cache_dir=tmp_path_factory.mktemp("c")
    )


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
    wide = acc.pivot_table(index="id", columns="cutoff", values="jobs")
    assert wide[45].sum() > wide[15].sum()
    # Bounds from outside the measure ("more time never reaches less" holds by construction
    # when counting the places within each cutoff of one matrix).
    if mode == "transit":
        # Walks within max_walk_time (20 min) are trips too: at every cutoff, transit reaches
        # at least what a walk of 15 min does.
        walk = rc.accessibility(network, origins, places, columns=["jobs"], mode="walk", cutoffs=[15])
        walked = by_id(walk, ["jobs"])["jobs"].reindex(wide.index)
        assert (wide.to_numpy() >= walked.to_numpy()[:, None]).all()
    else:
        # Nobody walks (1 m/s) or cycles (12 km/h) farther than the crow flies: distances by
        # pyproj.Geod, with 0.5 % for the UTM gaps to the streets and 1 s of rounding.
        speed = {"walk": 1.0, "bike": 12 / 3.6}[mode]
        o, d = origins.geometry, places.geometry
        n, m = len(o), len(d)
        _, _, metres = Geod(ellps="WGS84").inv(
            np.repeat(o.x.to_numpy(), m), np.repeat(o.y.to_numpy(), m), np.tile(d.x.to_numpy(), n),
            np.tile(d.y.to_numpy(), n),
        )  # fmt: skip
        metres = metres.reshape(n, m)
        for cutoff in cutoffs:
            within = metres <= (cutoff * 60 + 1) * speed / 0.995
            bound = pd.Series((within * places["jobs"].to_numpy()).sum(axis=1), index=origins["id"])
            assert (wide[cutoff] <= bound.reindex(wide.index) + 1e-9).all(), cutoff


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
    # Each percentile counts what the matrix's travel times at that percentile reach (that
    # p25 reaches at least as much as p75 holds by construction); the window spreads them.
    ttm = rc.travel_time_matrix(
        network, origins, places, mode="transit", max_time=60, departure=DEPARTURE, time_window=10,
        percentiles=(25, 75),
    )  # fmt: skip
    for p in (25, 75):
        matrix = ttm.rename(columns={f"travel_time_p{p}": "travel_time"})
        expected = rc.measures.cumulative_cutoff(matrix, places, columns="jobs", cutoffs=[30, 60])
        theirs = expected.set_index(["id", "cutoff"])["jobs"]
        assert theirs.index.tolist() == transit.index.tolist()
        np.testing.assert_array_equal(transit[float(p)].to_numpy(), theirs.to_numpy())
    assert (transit[25.0] > transit[75.0]).any()


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
