"""One origin at a time (rc.one_to_many): the rows of the matrix, for services."""

from __future__ import annotations

import numpy as np
import pytest

import reachable as rc

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
DEPARTURE = "2019-05-13 14:00"
ORIGINS = [0, 101, 402, 777, 1200]


@pytest.mark.parametrize(
    ("mode", "options"),
    [
        ("walk", {"max_time": 30}),
        ("car", {"max_time": 20, "car_speed_factor": 0.8}),
        ("transit", {"max_time": 60, "departure": DEPARTURE, "walk_speed": 5.04, "board_slack": 0}),
        ("transit", {"max_time": 60, "departure": DEPARTURE, "time_window": 10, "percentiles": [25, 75]}),
        ("bike+transit", {"max_time": 45, "departure": DEPARTURE}),
    ],
)
def test_each_answer_is_the_row_of_the_matrix(poa_transit, hexes, mode, options):
    query = rc.one_to_many(poa_transit, hexes, mode=mode, **options)
    matrix = rc.travel_time_matrix(poa_transit, hexes.iloc[ORIGINS], hexes, mode=mode, **options)
    columns = [c for c in matrix.columns if c.startswith("travel_time")]
    expected = matrix[columns].to_numpy().reshape(len(ORIGINS), len(hexes), len(columns))
    for row, origin in enumerate(ORIGINS):
        point = hexes.geometry.iloc[origin]
        minutes = query.travel_times(point.x, point.y)
        assert minutes.shape == ((len(hexes),) if len(columns) == 1 else (len(hexes), len(columns)))
        np.testing.assert_array_equal(minutes.reshape(len(hexes), -1), expected[row])
        assert minutes.reshape(len(hexes), -1)[origin].max() == 0  # its own cell: no trip
    assert (query.ids == hexes["id"].reset_index(drop=True)).all()
    assert np.isfinite(expected).mean() > 0.02  # the rows compared are not all empty


def test_a_bad_origin_is_refused_with_the_reason(poa_network, hexes):
    query = rc.one_to_many(poa_network, hexes, mode="walk", max_time=30)
    with pytest.raises(rc.InvalidPointsError, match="not a WGS84 coordinate"):
        query.travel_times(-51.2, -95.0)
    point = hexes.geometry.iloc[0]
    with pytest.raises(rc.InvalidPointsError, match="with longitude and latitude swapped"):
        query.travel_times(point.y, point.x)
    with pytest.raises(rc.InvalidPointsError, match="must be numbers"):
        query.travel_times("west", -30.0)
    with pytest.raises(
        rc.InvalidPointsError, match=r"farther than max_snap_distance=1600 m from the streets"
    ):
        query.travel_times(-40.0, -30.0)  # in the Atlantic


def test_settings_are_checked_when_the_query_is_made(poa_network, hexes):
    with pytest.raises(rc.UnknownModeError):
        rc.one_to_many(poa_network, hexes, mode="transit", max_time=30, departure=DEPARTURE)
    with pytest.raises(rc.InvalidParameterError, match="max_time"):
        rc.one_to_many(poa_network, hexes, mode="walk", max_time=-5)
