"""RAPTOR against a brute-force search on seeded random towns, minute by minute.

The towns (see transit_towns.py) have two feeds with clashing ids, overnight trips of the
previous day, frequency-based and exact-times frequencies, calendar exceptions,
interpolated times and transfers.txt. Walking legs come from the same street searches for
both sides (they are tested against scipy elsewhere); everything about rides is independent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.gtfs import expand_frequencies
from reachable.kernels.raptor import UNREACHED
from reachable.kernels.raptor_lanes import MAX_LANES
from reachable.points import Points, as_points
from reachable.routing import transit
from reachable.routing.street import coincident, street_pairs

from . import transit_reference as reference
from .transit_towns import LAT0, LON0, N_GRID, QUERY_DATE, STEP


def brute_force_legs(network, points, query):
    """The walks of a query, ``(access, direct, transfers, board_extra, egress)`` as lists per
    point or stop, and the timetable of each draw of frequency phases."""
    weight, snap = transit._walking(network, query)
    pts = as_points(points)
    costs = snap(pts, None)
    timetable = network.timetable
    stops = snap(Points(ids=None, lon=timetable.stop_lon, lat=timetable.stop_lat), None)

    def rows(origins, destinations):
        # A walk is within the limit when its whole seconds are (reachable.cutoffs): search half
        # a second farther, round, then keep what fits.
        offsets, target, seconds = street_pairs(
            network, "walk", weight, origins, destinations, query.max_walk + 0.5
        )
        walks = reference.csr_rows(offsets, target, np.round(seconds).astype(np.int64))
        return [[(t, s) for t, s in row if s <= query.max_walk] for row in walks]

    access, direct, egress = rows(costs, stops), rows(costs, costs), rows(stops, costs)
    for o, d in zip(*coincident(pts, pts), strict=True):
        direct[o].append((d, 0))
    transfers_offsets, transfers_to, transfers_time, board_extra = transit.stop_transfers(network, query)
    transfers = reference.csr_rows(transfers_offsets, transfers_to, transfers_time)
    if len(timetable.frequency_trip):
        rng = np.random.default_rng(query.seed)
        draws = [
            expand_frequencies(timetable, rng.integers(0, timetable.frequency_headway))
            for _ in range(query.frequency_draws)
        ]
    else:
        draws = [timetable]
    return (access, direct, transfers, board_extra, egress), draws


def brute_force(network, points, query):
    """Per (origin, draw * minute, destination) seconds from the brute-force search."""
    legs, draws = brute_force_legs(network, points, query)
    per_draw = [
        reference.travel_times(
            draw,
            query.departures,
            *legs,
            len(points),
            max_rounds=query.max_rounds,
            board_slack=query.board_slack,
            max_duration=query.max_duration,
        )
        for draw in draws
    ]
    return np.concatenate(per_draw, axis=1)


@pytest.mark.parametrize(
    ("start", "window", "max_rounds", "board_slack"),
    [(0, 40, 3, 60), (14 * 3600 - 300, 45, 2, 0), (14 * 3600 + 600, 20, 1, 120)],
)
def test_range_raptor_equals_brute_force_every_minute(town, start, window, max_rounds, board_slack):
    network, points = town
    query = transit.TransitQuery(
        departures=start + 60 * np.arange(window, dtype=np.int64),
        max_duration=3600,
        max_walk=600.0,
        max_rounds=max_rounds,
        walk_speed=3.6,
        board_slack=board_slack,
        frequency_draws=3,
        seed=11,
        percentiles=np.array([5.0, 50.0, 95.0]),
        max_snap_distance=1600.0,
    )
    pts = as_points(points)
    percentiles, minutes = transit.transit_seconds(network, pts, pts, query, keep_minutes=True)
    expected = brute_force(network, points, query)
    ours = np.where(minutes >= UNREACHED, reference.INF, minutes)
    np.testing.assert_array_equal(ours, expected)
    # Rides matter: many trips are faster than walking alone, or possible only by transit.
    walk = rc.travel_time_matrix(network, points, mode="walk", max_time=query.max_walk / 60)
    walk_seconds = np.nan_to_num(walk["travel_time"].to_numpy().reshape(len(points), 1, -1) * 60, nan=np.inf)
    assert np.mean(expected < walk_seconds - 1) > 0.1
    # Percentiles: nearest rank over every minute and draw, unreachable as +infinity.
    values = np.sort(np.where(expected >= reference.INF, np.iinfo(np.int64).max, expected), axis=1)
    n = values.shape[1]
    for j, p in enumerate(query.percentiles):
        rank = int(np.ceil(p / 100 * n)) - 1
        want = values[:, max(rank, 0), :]
        got = np.where(percentiles[:, :, j] >= UNREACHED, np.iinfo(np.int64).max, percentiles[:, :, j])
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n_lanes", [1, MAX_LANES])
@pytest.mark.parametrize(("window", "max_rounds"), [(1, 3), (1, 1), (7, 2)])
def test_origins_searched_together_equal_brute_force(town, monkeypatch, n_lanes, window, max_rounds):
    """Groups of lanes, a partial last group, any order: each origin as if searched alone."""
    network, _ = town
    rng = np.random.default_rng(n_lanes * 10 + window)
    extent = (N_GRID - 1) * STEP
    n_points = 2 * n_lanes + 3
    points = pd.DataFrame({
        "id": np.arange(n_points), "lon": LON0 + rng.uniform(0, extent, n_points),
        "lat": LAT0 + rng.uniform(0, extent, n_points),
    })  # fmt: skip
    monkeypatch.setattr(transit, "search_lanes", lambda n_departures, n_origins: n_lanes)
    query = transit.TransitQuery(
        departures=14 * 3600 - 120 + 60 * np.arange(window, dtype=np.int64), max_duration=3000,
        max_walk=600.0, max_rounds=max_rounds, walk_speed=3.6, board_slack=60, frequency_draws=3,
        seed=7, percentiles=np.array([50.0]), max_snap_distance=1600.0,
    )  # fmt: skip
    pts = as_points(points)
    _, minutes = transit.transit_seconds(network, pts, pts, query, keep_minutes=True)
    expected = brute_force(network, points, query)
    np.testing.assert_array_equal(np.where(minutes >= UNREACHED, reference.INF, minutes), expected)
    assert np.mean(expected < reference.INF) > 0.3


def test_itineraries_explain_the_brute_force_times(town):
    network, points = town
    start, window = 14 * 3600 - 300, 6
    query = transit.TransitQuery(
        departures=start + 60 * np.arange(window, dtype=np.int64), max_duration=3600, max_walk=600.0,
        max_rounds=3, walk_speed=3.6, board_slack=60, frequency_draws=1, seed=5,
        percentiles=np.array([50.0]), max_snap_distance=1600.0,
    )  # fmt: skip
    expected = brute_force(network, points, query)
    midnight = pd.Timestamp(QUERY_DATE)
    drawn = transit.draws(network, query)[0][0]  # the itinerary's timetable: the first draw
    checked_rides = 0
    for o in range(len(points)):
        for d in range(len(points)):
            if o == d:
                continue
            m = (o + d) % window
            departure = midnight + pd.Timedelta(seconds=int(query.departures[m]))
            legs = rc.itinerary(
                network, points.iloc[[o]], points.iloc[[d]], departure=departure.to_pydatetime(),
                max_time=60, max_walk_time=10, max_transfers=2, seed=5,
            )  # fmt: skip
            if expected[o, m, d] >= reference.INF:
                assert len(legs) == 0
                continue
            total = (legs["arrival_time"].iloc[-1] - departure).total_seconds()
            assert total == expected[o, m, d]
            assert (legs["mode"] == "ride").sum() <= 3
            assert (legs.loc[legs["mode"] == "walk", "duration"] <= 10).all()
            for _, leg in legs[legs["mode"] == "ride"].iterrows():
                trip = int(np.flatnonzero(drawn.trip_id == leg["trip_id"])[0])
                rows = slice(drawn.trip_offsets[trip], drawn.trip_offsets[trip + 1])
                assert (leg["departure_time"] - midnight).total_seconds() in drawn.stop_time_departure[rows]
                checked_rides += 1
    assert checked_rides > 0
