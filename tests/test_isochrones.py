"""Isochrones hold every place the matrix reaches within the cutoff, and little else."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

import reachable as rc

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")

DEPARTURE = "2019-05-13 14:00"


@pytest.fixture(scope="module")
def origins(hexes):
    return hexes.iloc[100::250].reset_index(drop=True)


@pytest.mark.parametrize(
    ("mode", "cutoffs", "settings"),
    [
        ("walk", [10, 20], {}),
        ("bike", [8, 15], {}),
        ("transit", [20, 30], {"departure": DEPARTURE}),
        ("bike+transit", [20, 30], {"departure": DEPARTURE, "max_access_time": 8}),
    ],
)
def test_isochrones_hold_what_the_matrix_reaches_and_nothing_much_slower(
    poa_transit, hexes, origins, mode, cutoffs, settings
):
    iso = rc.isochrones(poa_transit, origins, mode=mode, cutoffs=cutoffs, **settings)
    assert list(iso.columns) == ["id", "mode", "cutoff", "geometry"]
    assert len(iso) == len(origins) * len(cutoffs) and iso.crs == hexes.crs
    ttm = rc.travel_time_matrix(
        poa_transit, origins, hexes, mode=mode, max_time=1.1 * max(cutoffs), **settings
    )
    time = ttm["travel_time"].to_numpy().reshape(len(origins), len(hexes))
    centres = hexes.geometry.to_crs(poa_transit.crs).to_numpy()
    areas = iso.to_crs(poa_transit.crs).set_index(["id", "cutoff"]).geometry
    reached = 0
    for i, origin in enumerate(origins["id"]):
        for cutoff in cutoffs:
            inside = shapely.covers(areas[(origin, cutoff)], centres)
            within = time[i] <= cutoff  # NaN (beyond 1.1 x the largest cutoff) compares False
            slower = ~(time[i] <= 1.1 * cutoff)
            assert inside[within].all(), f"{origin} {cutoff} min: {np.flatnonzero(within & ~inside)} left out"
            assert not inside[slower].any(), f"{origin} {cutoff} min: {np.flatnonzero(slower & inside)} held"
            reached += within.sum()
        small, large = (areas[(origin, c)] for c in cutoffs)
        assert shapely.covers(large.buffer(0.1), small)  # to a grid of 1 cm, reprojected twice
    # Enough places on each side of the line for the checks to mean something.
    assert reached > 20 * len(origins)
    assert (time > 1.1 * min(cutoffs)).sum() + np.isnan(time).sum() > 50 * len(origins)


def test_an_origin_far_from_the_streets_holds_itself(poa_transit):
    # 1.4 km from the nearest street: nothing is walked in 5 minutes but the place itself.
    origin = rc.datasets.porto_alegre_hexgrid().query("id == '89a90e924a3ffff'")
    iso = rc.isochrones(poa_transit, origin, mode="walk", cutoffs=[5])
    area = iso.to_crs(poa_transit.crs).geometry.iloc[0]
    assert shapely.covers(area, origin.to_crs(poa_transit.crs).geometry.iloc[0])
    assert area.area < 10


def test_isochrones_take_numpy_cutoffs_and_refuse_window_options(poa_transit, origins):
    iso = rc.isochrones(poa_transit, origins.iloc[:1], mode="walk", cutoffs=np.int64(5))
    assert iso["cutoff"].tolist() == [5.0]
    for option in ({"time_window": 30}, {"percentiles": [25, 75]}, {"frequency_draws": 10}):
        with pytest.raises(rc.InvalidParameterError, match="one departure minute"):
            rc.isochrones(
                poa_transit, origins.iloc[:1], mode="transit", cutoffs=[20], departure=DEPARTURE, **option
            )
    with pytest.raises(rc.InvalidParameterError, match="cutoffs"):
        rc.isochrones(poa_transit, origins.iloc[:1], mode="walk", cutoffs=[0])
