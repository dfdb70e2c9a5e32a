"""Bike, e-bike, moped or car to public transport against a brute force over access stops.

The street legs come from the same street searches on both sides (tested against scipy
elsewhere); how they combine (which stops a vehicle may be left at, a drive to a
park-and-ride place then a walk to a stop, the trips made with the vehicle alone) and every
ride are computed independently here, then searched by the brute force of
transit_reference.py, which tries every access stop at every departure.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.kernels.raptor import UNREACHED
from reachable.network.edges import great_circle_m
from reachable.network.street import arc_seconds
from reachable.osm.reader import read_parking
from reachable.points import Points, as_points
from reachable.routing import transit
from reachable.routing.access import PARKING_REACH, AccessLeg, access_leg
from reachable.routing.street import coincident, street_pairs

from . import transit_reference as reference
from .arrive_both_ways import arrive_by
from .test_transit_reference import brute_force_legs
from .transit_towns import LAT0, LON0, N_GRID, QUERY_DATE, STEP

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")

SPEEDS = {"walk_speed": 3.6, "bike_speed": 12.0, "ebike_speed": 18.0, "car_speed_factor": 1.0}


def combined_query(leg: AccessLeg, *, departures=(), deadlines=None, max_rounds=3):
    return transit.TransitQuery(
        departures=np.asarray(departures, dtype=np.int64), max_duration=3600, max_walk=300,
        max_rounds=max_rounds, walk_speed=3.6, board_slack=60, frequency_draws=3, seed=5,
        percentiles=np.array([50.0]), max_snap_distance=1600.0,
        deadlines=None if deadlines is None else np.asarray(deadlines, dtype=np.int64), access=leg,
    )  # fmt: skip


def vehicle_rows(network, mode, sources: Points, targets: Points, limit: int):
    """Whole seconds by ``mode`` from each source to each target within ``limit``, as lists."""
    edge_seconds = network.edge_seconds(mode, **SPEEDS)
    weight = arc_seconds(network.graph(mode), edge_seconds)

    def snap(points):
        return rc.routing.street.snapped_costs(
            network, mode, points.lon, points.lat, edge_seconds=edge_seconds, walk_speed=3.6,
            max_snap_distance=1600.0,
        )  # fmt: skip

    offsets, target, seconds = street_pairs(network, mode, weight, snap(sources), snap(targets), limit + 0.5)
    rows = reference.csr_rows(offsets, target, np.round(seconds).astype(np.int64))
    return [{t: s for t, s in row if s <= limit} for row in rows]


def combined_legs(network, points, query):
    """The brute force's legs for a combined mode: vehicle access and trips, walks after."""
    leg = query.access
    (_, _, transfers, board_extra, egress), tables = brute_force_legs(network, points, query)
    pts = as_points(points)
    timetable = network.timetable
    stops = Points(ids=None, lon=timetable.stop_lon, lat=timetable.stop_lat)
    if leg.places is None:
        allowed = range(timetable.n_stops) if leg.stops is None else leg.stops.tolist()
        to_stops = vehicle_rows(network, leg.mode, pts, stops, leg.max_access)
        access = [[(s, row[s]) for s in allowed if s in row] for row in to_stops]
    else:
        places = Points(ids=None, lon=leg.places[:, 0], lat=leg.places[:, 1])
        drives = vehicle_rows(network, leg.mode, pts, places, leg.max_access)
        walks = vehicle_rows(network, "walk", places, stops, query.max_walk)
        access = []
        for drive in drives:
            best = {}
            for place, seconds in drive.items():
                for stop, walk in walks[place].items():
                    best[stop] = min(best.get(stop, reference.INF), seconds + walk)
            access.append(sorted(best.items()))
    # Every combined trip rides: no trip with the vehicle alone, only the origin at its destination.
    direct = [[] for _ in range(len(pts))]
    for o, d in zip(*coincident(pts, pts), strict=True):
        direct[o].append((d, 0))
    return (access, direct, transfers, board_extra, egress), tables


def park_and_ride_places(seed: int, n: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    extent = (N_GRID - 1) * STEP
    return np.column_stack((LON0 + rng.uniform(0, extent, n), LAT0 + rng.uniform(0, extent, n)))


def near_stops(network, every: int) -> np.ndarray:
    """Places about 50 m from every ``every``-th stop."""
    timetable = network.timetable
    return np.column_stack((timetable.stop_lon[::every] + 0.0004, timetable.stop_lat[::every]))


LEGS = {
    "bike": lambda town: AccessLeg("bike", 180, tuple(sorted(SPEEDS.items()))),
    "ebike": lambda town: AccessLeg("ebike", 150, tuple(sorted(SPEEDS.items()))),
    "bike at some stops": lambda town: AccessLeg(
        "bike", 240, tuple(sorted(SPEEDS.items())), stops=np.arange(0, town.timetable.n_stops, 3)
    ),
    "car": lambda town: AccessLeg(
        "car", 120, tuple(sorted(SPEEDS.items())), places=park_and_ride_places(1, 5)
    ),
    "moped": lambda town: AccessLeg("moped", 150, tuple(sorted(SPEEDS.items())), places=near_stops(town, 4)),
}


@pytest.mark.parametrize("kind", list(LEGS))
@pytest.mark.parametrize(("start", "window", "max_rounds"), [(14 * 3600 - 300, 12, 3), (0, 5, 2)])
def test_combined_access_equals_brute_force_every_minute(town, kind, start, window, max_rounds):
    network, points = town
    query = combined_query(
        LEGS[kind](network), departures=start + 60 * np.arange(window), max_rounds=max_rounds
    )
    pts = as_points(points)
    _, minutes = transit.transit_seconds(network, pts, pts, query, keep_minutes=True)
    legs, tables = combined_legs(network, points, query)
    settings = {"max_rounds": max_rounds, "board_slack": 60, "max_duration": query.max_duration}
    expected = np.concatenate(
        [reference.travel_times(table, query.departures, *legs, len(points), **settings) for table in tables],
        axis=1,
    )
    np.testing.assert_array_equal(np.where(minutes >= UNREACHED, reference.INF, minutes), expected)
    # Trips ride: beyond each origin's own place, some pairs are reached.
    elsewhere = ~np.eye(len(points), dtype=bool)[:, None, :]
    assert (expected[elsewhere.repeat(expected.shape[1], axis=1)] < reference.INF).any()
    # The vehicle matters: some trip is quicker than walking to transit, or only possible so.
    walking = dataclasses.replace(query, access=None)
    _, walked = transit.transit_seconds(network, pts, pts, walking, keep_minutes=True)
    assert (expected < np.where(walked >= UNREACHED, reference.INF, walked)).any()


@pytest.mark.parametrize("kind", ["bike", "car"])
def test_combined_access_arrives_by_the_deadline_as_the_brute_force(town, kind, monkeypatch):
    network, points = town
    deadline = 14 * 3600 + 1800  # by 14:07 some towns reach no pair by a vehicle then a ride
    query = combined_query(LEGS[kind](network), deadlines=[deadline])
    pts = as_points(points)
    legs, tables = combined_legs(network, points, query)
    lead, arrival = arrive_by(monkeypatch, network, pts, pts, query)
    if len(tables) > 1:  # percentiles over draws are tested for walkers; one draw here
        query = dataclasses.replace(query, frequency_draws=1)
        lead, arrival = arrive_by(monkeypatch, network, pts, pts, query)
        legs, tables = combined_legs(network, points, query)
    want_departure, want_arrival = reference.latest_departures(
        tables[0], deadline, *legs, len(points), max_rounds=3, board_slack=60, max_duration=3600
    )
    got_departure = np.where(lead[:, :, 0] < UNREACHED, deadline - lead[:, :, 0], reference.INF)
    np.testing.assert_array_equal(got_departure, want_departure)
    got_arrival = np.where(lead[:, :, 0] < UNREACHED, arrival[:, :, 0], reference.INF)
    np.testing.assert_array_equal(got_arrival, want_arrival)
    elsewhere = ~np.eye(len(points), dtype=bool)
    assert (want_departure[elsewhere] < reference.INF).sum() >= 5


def test_combined_mode_names_and_access_mode_are_the_same_query(town):
    network, points = town
    settings = {"departure": "14:00", "max_time": 40, "seed": 3}
    by_name = rc.travel_time_matrix(network, points, mode="bike+transit", max_access_time=4, **settings)
    by_option = rc.travel_time_matrix(
        network, points, mode="transit", access_mode="bike", max_access_time=4, **settings
    )
    pd.testing.assert_frame_equal(by_name, by_option)
    walking = rc.travel_time_matrix(network, points, mode="transit", **settings)
    assert not by_name["travel_time"].equals(walking["travel_time"])
    acc = rc.accessibility(
        network, points, points.assign(jobs=1), columns="jobs", mode=["transit", "bike+transit"],
        cutoffs=[20], max_access_time=4, departure="14:00", seed=3,
    )  # fmt: skip
    assert set(acc["mode"]) == {"transit", "bike+transit"}


def test_bikes_left_only_near_a_bicycle_parking(town):
    network, _ = town
    timetable = network.timetable
    parking_lon, parking_lat = timetable.stop_lon[[0, 5]] + 0.0005, timetable.stop_lat[[0, 5]]
    network.metadata["parking"] = {
        "lon": parking_lon.tolist(), "lat": parking_lat.tolist(), "kind": ["bicycle_parking"] * 2
    }  # fmt: skip
    try:
        leg = access_leg(
            network, "bike", max_access_time=None, speeds=SPEEDS, bike_parking_only=True, park_and_ride=None
        )
    finally:
        del network.metadata["parking"]
    near = [
        s
        for s in range(timetable.n_stops)
        if min(
            great_circle_m(timetable.stop_lon[s], timetable.stop_lat[s], x, y)
            for x, y in zip(parking_lon, parking_lat, strict=True)
        )
        <= PARKING_REACH
    ]
    assert leg.stops.tolist() == near and 0 < len(near) < timetable.n_stops
    assert leg.max_access == 15 * 60  # the default for bikes


def test_without_park_and_ride_cars_reach_nothing_by_public_transport(town):
    network, points = town
    with pytest.warns(rc.ReachableWarning, match="no park-and-ride place"):
        query = rc.matrix.routing_settings(network, "car+transit", max_time=30, departure="14:00").transit
    assert len(query.access.places) == 0
    pts = as_points(points)
    seconds, _ = transit.transit_seconds(network, pts, pts, query)
    expected = np.full((len(pts), len(pts)), UNREACHED)
    for o, d in zip(*coincident(pts, pts), strict=True):
        expected[o, d] = 0  # only each origin's own place
    np.testing.assert_array_equal(seconds[:, :, 0], expected)


def test_park_and_ride_given_as_a_frame(town):
    network, _ = town
    places = park_and_ride_places(4)
    frame = pd.DataFrame({"lon": places[:, 0], "lat": places[:, 1]})
    query = rc.matrix.routing_settings(
        network, "car+transit", max_time=30, departure="14:00", park_and_ride=frame
    ).transit
    np.testing.assert_array_equal(query.access.places, places)
    assert query.access.max_access == 20 * 60


def test_bad_access_options_are_refused(town):
    network, points = town
    run = dict(departure="14:00", max_time=30)
    with pytest.raises(rc.InvalidParameterError, match="access_mode must be one of"):
        rc.travel_time_matrix(network, points, mode="transit", access_mode="horse", **run)
    with pytest.raises(rc.InvalidParameterError, match="contradicts it"):
        rc.travel_time_matrix(network, points, mode="car+transit", access_mode="bike", **run)
    with pytest.warns(rc.ReachableWarning, match="access_mode only apply to mode='transit'"):
        rc.travel_time_matrix(network, points, mode="walk", access_mode="bike", max_time=30)
    with pytest.raises(rc.InvalidParameterError, match="bike_parking_only applies to bikes"):
        rc.travel_time_matrix(network, points, mode="car+transit", bike_parking_only=True, **run)
    with pytest.raises(rc.InvalidParameterError, match="park_and_ride is where cars and mopeds"):
        rc.travel_time_matrix(network, points, mode="bike+transit", park_and_ride=points, **run)
    with pytest.raises(rc.InvalidParameterError, match="max_access_time"):
        rc.travel_time_matrix(network, points, mode="bike+transit", max_access_time=-5, **run)
    with pytest.raises(rc.UnknownModeError, match="unknown or unavailable mode 'horse\\+transit'"):
        rc.travel_time_matrix(network, points, mode="horse+transit", **run)
    with pytest.warns(rc.ReachableWarning, match="only apply to mode='transit'"):
        rc.travel_time_matrix(network, points, mode="bike", max_time=30, max_access_time=10)


def test_park_and_ride_and_bicycle_parkings_are_read_from_osm(tmp_path):
    osm = tmp_path / "parking.osm"
    osm.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="tests">
<node id="1" lat="1.0" lon="2.0"><tag k="amenity" v="parking"/><tag k="park_ride" v="yes"/></node>
<node id="2" lat="1.1" lon="2.1"><tag k="amenity" v="bicycle_parking"/></node>
<node id="3" lat="1.2" lon="2.2"><tag k="amenity" v="bicycle_parking"/><tag k="access" v="private"/></node>
<node id="4" lat="1.3" lon="2.3"><tag k="amenity" v="parking"/></node>
<node id="5" lat="1.4" lon="2.4"><tag k="amenity" v="parking"/><tag k="park_ride" v="no"/></node>
<node id="6" lat="0.0" lon="0.0"/><node id="7" lat="0.0" lon="1.0"/><node id="8" lat="1.0" lon="1.0"/>
<way id="9"><nd ref="6"/><nd ref="7"/><nd ref="8"/><tag k="park_ride" v="bus"/></way>
</osm>"""
    )
    found = read_parking(osm)
    assert found["kind"] == ["park_and_ride", "bicycle_parking", "park_and_ride"]
    np.testing.assert_allclose(found["lon"], [2.0, 2.1, 2 / 3])
    np.testing.assert_allclose(found["lat"], [1.0, 1.1, 1 / 3])


def test_on_poa_a_bike_to_the_station_widens_the_reach(poa_transit, hexes):
    sample = hexes.iloc[::40]
    settings = {"departure": "2019-05-13 14:00", "max_time": 45, "progress": False}
    walk = rc.travel_time_matrix(poa_transit, sample, mode="transit", **settings)
    bike = rc.travel_time_matrix(poa_transit, sample, mode="bike+transit", **settings)
    assert bike["travel_time"].notna().sum() > walk["travel_time"].notna().sum()
    both = bike["travel_time"].notna() & walk["travel_time"].notna()
    assert bike["travel_time"][both].mean() < walk["travel_time"][both].mean()
    assert poa_transit.parking("bicycle_parking")[0].size == 4  # the OSM extract's four
    assert poa_transit.parking("park_and_ride")[0].size == 0


@pytest.mark.parametrize("kind", ["bike", "car"])
@pytest.mark.parametrize("by", ["departure", "arrival"])
def test_itineraries_show_the_vehicle_leg_and_explain_the_times(town, kind, by):
    network, points = town
    leg = LEGS[kind](network)
    settings = {"max_rounds": 3, "board_slack": 60, "max_duration": 3600}
    if by == "departure":
        moment = 14 * 3600 - 240
        query = dataclasses.replace(combined_query(leg, departures=[moment]), frequency_draws=1)
        legs, tables = combined_legs(network, points, query)
        seconds = reference.travel_times(tables[0], query.departures, *legs, len(points), **settings)[:, 0]
        leave = np.where(seconds < reference.INF, moment, reference.INF)
        arrive = np.where(seconds < reference.INF, moment + seconds, reference.INF)
    else:  # the latest departure arriving in time, and its arrival
        moment = 14 * 3600 + 1800
        query = dataclasses.replace(combined_query(leg, deadlines=[moment]), frequency_draws=1)
        legs, tables = combined_legs(network, points, query)
        leave, arrive = reference.latest_departures(tables[0], moment, *legs, len(points), **settings)
    midnight = pd.Timestamp(QUERY_DATE)
    options = {"max_access_time": leg.max_access / 60, "max_walk_time": 5, "seed": 5, "max_time": 60}
    options[by] = (midnight + pd.Timedelta(seconds=moment)).to_pydatetime()
    if leg.places is not None:
        options["park_and_ride"] = pd.DataFrame({"lon": leg.places[:, 0], "lat": leg.places[:, 1]})
    seen = set()
    for o in range(len(points)):
        for d in range(len(points)):
            if o == d:
                continue
            shown = rc.itinerary(
                network, points.iloc[[o]], points.iloc[[d]], mode=f"{kind}+transit", **options
            )  # fmt: skip
            if leave[o, d] >= reference.INF:
                assert len(shown) == 0
                continue
            assert (shown["departure_time"].iloc[0] - midnight).total_seconds() == leave[o, d]
            assert (shown["arrival_time"].iloc[-1] - midnight).total_seconds() == arrive[o, d]
            assert shown["mode"].iloc[0] == kind and (shown["mode"] == "ride").any()
            # Each leg starts when the one before ends (rides after their wait).
            begins = (shown["departure_time"] - midnight).dt.total_seconds() - shown["wait"] * 60
            ends = (shown["arrival_time"] - midnight).dt.total_seconds()
            np.testing.assert_allclose(begins.iloc[1:].to_numpy(), ends.iloc[:-1].to_numpy(), atol=1e-6)
            seen.add(tuple(shown["mode"].iloc[:2]))
    expected_start = ("car", "walk") if kind == "car" else ("bike", "ride")
    assert expected_start in seen


def test_zero_second_pairs_are_set_or_inserted_in_column_order():
    rng = np.random.default_rng(0)
    dense = np.where(rng.random((6, 9)) < 0.4, rng.integers(1, 100, (6, 9)), -1)
    rows, columns = np.nonzero(dense >= 0)
    offsets = np.searchsorted(rows, np.arange(7))
    same_row, same_column = np.array([0, 2, 2, 5, 3]), np.array([4, 0, 8, 5, 3])
    got = transit._with_zeros(offsets, columns, dense[rows, columns], same_row, same_column)
    expected = dense.copy()
    expected[same_row, same_column] = 0
    want_rows, want_columns = np.nonzero(expected >= 0)
    np.testing.assert_array_equal(got[0], np.searchsorted(want_rows, np.arange(7)))
    np.testing.assert_array_equal(got[1], want_columns)
    np.testing.assert_array_equal(got[2], expected[want_rows, want_columns])
