"""Arrive by a deadline: the backward search equals a bisection on forward brute-force searches."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.kernels.raptor import UNREACHED
from reachable.network.transit import reversed_routes
from reachable.points import as_points
from reachable.routing import transit

from . import transit_reference as reference
from .arrive_both_ways import arrive_by
from .test_transit_reference import brute_force_legs
from .test_transit_rules import DATE as RULES_DATE
from .test_transit_rules import points as rules_points
from .test_transit_rules import transit_network
from .transit_towns import QUERY_DATE

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")


def arrival_query(deadlines, *, max_rounds=3, board_slack=60, max_duration=3600, draws=3, seed=7):
    return transit.TransitQuery(
        departures=np.empty(0, dtype=np.int64), max_duration=max_duration, max_walk=600,
        max_rounds=max_rounds, walk_speed=3.6, board_slack=board_slack, frequency_draws=draws, seed=seed,
        percentiles=np.array([50.0]), max_snap_distance=1600.0,
        deadlines=np.asarray(deadlines, dtype=np.int64),
    )  # fmt: skip


def departures(network, points, query):
    """Latest departure per (origin, destination, draw * deadline), INF where none."""
    pts = as_points(points)
    lead = np.concatenate([lead for _, lead in transit.arrival_blocks(network, pts, pts, query)], axis=1)
    deadlines = np.tile(query.deadlines, lead.shape[2] // len(query.deadlines))
    return np.where(lead >= UNREACHED, reference.INF, deadlines - lead)


@pytest.mark.parametrize(
    ("deadlines", "max_rounds", "board_slack", "ridden"),
    [
        ([14 * 3600], 3, 60, False),
        ([14 * 3600 + 1234], 2, 0, True),  # any second, no slack
        ([1800], 3, 120, True),  # just after midnight: the previous day's trips
        ([8 * 3600], 1, 60, False),  # one ride only
        ([15 * 3600], 1, 60, True),  # one ride, in the buses' hours
        ([14 * 3600 + 37 * k for k in range(8)], 3, 60, False),  # deadlines searched together
    ],
)
def test_latest_departures_equal_a_bisection_on_brute_force_searches(
    town, deadlines, max_rounds, board_slack, ridden, monkeypatch
):
    network, points = town
    query = arrival_query(deadlines, max_rounds=max_rounds, board_slack=board_slack)
    departure = departures(network, points, query)
    legs, tables = brute_force_legs(network, points, query)
    rides = 0
    for d, table in enumerate(tables):
        for m, deadline in enumerate(query.deadlines):
            want_departure, want_arrival = reference.latest_departures(
                table, int(deadline), *legs, len(points), max_rounds=max_rounds, board_slack=board_slack,
                max_duration=query.max_duration,
            )  # fmt: skip
            np.testing.assert_array_equal(departure[:, :, d * len(query.deadlines) + m], want_departure)
            rides += ((want_arrival < deadline) & (want_departure < reference.INF)).sum()
            if len(query.deadlines) == 1 and len(tables) == 1:
                # One draw: the arrival when leaving then is the brute force's earliest arrival.
                lead, arrival = arrive_by(monkeypatch, network, as_points(points), as_points(points), query)
                got = np.where(lead[:, :, 0] < UNREACHED, arrival[:, :, 0], reference.INF)
                np.testing.assert_array_equal(got, want_arrival)
    # Rides matter: a walk arrives at the deadline, a ride mostly before it.
    assert rides > 0 or not ridden


def test_routes_run_back_in_time_twice_are_the_routes(town):
    network, _ = town
    routes = transit.draws(network, arrival_query([14 * 3600]))[0][1]
    back = reversed_routes(routes)
    for r in range(routes.n_routes):
        stops = slice(routes.route_stop_offsets[r], routes.route_stop_offsets[r + 1])
        times = slice(routes.route_time_offsets[r], routes.route_time_offsets[r + 1])
        n_stops = stops.stop - stops.start
        np.testing.assert_array_equal(back.route_stops[stops], routes.route_stops[stops][::-1])
        # The last trip's arrival at the last stop is the first departure turned round.
        forward_arrival = routes.arrival[times].reshape(-1, n_stops)
        back_departure = back.departure[times].reshape(-1, n_stops)
        np.testing.assert_array_equal(back_departure, -forward_arrival[::-1, ::-1])
        for name in ("arrival", "departure"):  # trips still never overtake
            assert (np.diff(getattr(back, name)[times].reshape(-1, n_stops), axis=0) >= 0).all()
    again = reversed_routes(back)
    for field in dataclasses.fields(routes):
        np.testing.assert_array_equal(getattr(again, field.name), getattr(routes, field.name), field.name)


def test_same_stop_times_after_a_walk_count_where_the_next_vehicle_is_boarded(town):
    # The backward search turns walks round, so a stop's same-stop time (transfers.txt) moves
    # to the other end of each walk. Give every stop its own, large enough to change answers,
    # and route between the stops themselves, where transfers are most used.
    network, _ = town
    timetable = network.timetable
    stops = pd.DataFrame(
        {"id": np.arange(timetable.n_stops), "lon": timetable.stop_lon, "lat": timetable.stop_lat}
    )
    query = arrival_query([h * 3600 + 1200 for h in range(8, 20, 3)], board_slack=30, draws=1)
    offsets, to_stop, seconds, board_extra = transit.stop_transfers(network, query)
    original = departures(network, stops, query)
    (key,) = [key for key in network.query_cache if key[0] == "transfers" and key[3] == query.board_slack]
    varied = np.random.default_rng(5).integers(0, 900, len(board_extra))
    network.query_cache[key] = (offsets, to_stop, seconds, varied)
    try:
        departure = departures(network, stops, query)
        legs, tables = brute_force_legs(network, stops, query)
        for d, table in enumerate(tables):
            for m, deadline in enumerate(query.deadlines):
                want, _ = reference.latest_departures(
                    table, int(deadline), *legs, len(stops), max_rounds=3, board_slack=30,
                    max_duration=query.max_duration,
                )  # fmt: skip
                np.testing.assert_array_equal(departure[:, :, d * len(query.deadlines) + m], want)
        assert (departure != original).any()
    finally:
        network.query_cache[key] = (offsets, to_stop, seconds, board_extra)


def test_percentiles_over_draws_and_the_arrival_of_the_chosen_draw(town, monkeypatch):
    network, points = town
    deadline = 15 * 3600  # the frequency-based buses run
    query = arrival_query([deadline], draws=5, seed=3)
    query = dataclasses.replace(query, percentiles=np.array([5.0, 50.0, 95.0]))
    legs, tables = brute_force_legs(network, points, query)
    per_draw = [
        reference.latest_departures(
            table, deadline, *legs, len(points), max_rounds=3, board_slack=60, max_duration=query.max_duration
        )
        for table in tables
    ]
    want_departure = np.stack([d for d, _ in per_draw], axis=2)
    want_arrival = np.stack([a for _, a in per_draw], axis=2)
    lead, arrival = arrive_by(monkeypatch, network, as_points(points), as_points(points), query)
    # Nearest rank of how long before the deadline one must leave (not reached: last).
    want_lead = np.where(want_departure < reference.INF, deadline - want_departure, reference.INF)
    order = np.argsort(want_lead, axis=2, kind="stable")
    n = len(tables)  # five draws, or one without frequency-based services
    for j, rank in enumerate(int(np.ceil(p / 100 * n)) - 1 for p in (5, 50, 95)):
        chosen = order[:, :, [rank]]
        expected_lead = np.take_along_axis(want_lead, chosen, axis=2)[:, :, 0]
        got_lead = np.where(lead[:, :, j] < UNREACHED, lead[:, :, j], reference.INF)
        np.testing.assert_array_equal(got_lead, expected_lead)
        reached = expected_lead < reference.INF
        np.testing.assert_array_equal(
            arrival[:, :, j][reached], np.take_along_axis(want_arrival, chosen, axis=2)[:, :, 0][reached]
        )
    # Where the draws differ, so do the 5th and the 95th percentiles: in towns 1 and 3.
    spread = (want_lead.min(axis=2) != want_lead.max(axis=2)).any()
    assert spread == (lead[:, :, 0] != lead[:, :, 2]).any() == (len(network.timetable.frequency_trip) > 0)


def test_the_matrix_tells_when_to_leave_and_when_one_arrives(town):
    network, points = town
    deadline = pd.Timestamp(QUERY_DATE) + pd.Timedelta(hours=14, minutes=3)
    ttm = rc.travel_time_matrix(
        network, points, mode="transit", arrival=deadline, max_time=60, max_walk_time=10, seed=7
    )
    assert list(ttm.columns) == ["from_id", "to_id", "departure", "arrival", "travel_time"]
    assert ttm["departure"].dtype.kind == "M" and ttm["arrival"].dtype.kind == "M"
    unreached = ttm["travel_time"].isna()
    assert unreached.any()
    assert ttm["departure"].isna().equals(unreached) and ttm["arrival"].isna().equals(unreached)
    reached = ttm.dropna()
    assert len(reached) > len(points) and (reached["arrival"] <= deadline).all()
    assert (reached["departure"] >= deadline - pd.Timedelta(minutes=60)).all()
    minutes = (reached["arrival"] - reached["departure"]).dt.total_seconds() / 60
    np.testing.assert_allclose(reached["travel_time"], minutes)
    lead, arrival = transit.arrive_by(
        network, as_points(points), as_points(points), arrival_query([14 * 3600 + 180], draws=5, seed=7)
    )
    midnight = pd.Timestamp(QUERY_DATE)
    for values, column in ((14 * 3600 + 180 - lead, "departure"), (arrival, "arrival")):
        seconds = np.where(lead[:, :, 0] < UNREACHED, values[:, :, 0], np.nan).ravel()
        expected = pd.Series(midnight + pd.to_timedelta(seconds, unit="s"), name=column)
        pd.testing.assert_series_equal(ttm[column], expected, check_dtype=False)


def test_an_itinerary_arriving_by_a_deadline_leaves_at_the_brute_force_latest_departure(town):
    network, points = town
    deadline = 15 * 3600  # the frequency-based buses run until then
    query = arrival_query([deadline], draws=1, seed=7)  # the itinerary's draw: the first
    legs, (table,) = brute_force_legs(network, points, query)
    want_departure, want_arrival = reference.latest_departures(
        table, deadline, *legs, len(points), max_rounds=3, board_slack=60, max_duration=3600
    )
    midnight = pd.Timestamp(QUERY_DATE)
    arrival = midnight + pd.Timedelta(seconds=deadline)
    rides = 0
    for o in range(len(points)):
        for d in range(len(points)):
            if o == d:
                continue
            shown = rc.itinerary(
                network, points.iloc[[o]], points.iloc[[d]], arrival=arrival, max_time=60,
                max_walk_time=10, max_transfers=2, seed=7,
            )  # fmt: skip
            if want_departure[o, d] >= reference.INF:
                assert len(shown) == 0
                continue
            seconds = (shown[["departure_time", "arrival_time"]] - midnight) // pd.Timedelta(seconds=1)
            assert seconds["departure_time"].iloc[0] == want_departure[o, d]
            assert seconds["arrival_time"].iloc[-1] == want_arrival[o, d] <= deadline
            assert (seconds["departure_time"].iloc[1:].to_numpy() >= seconds["arrival_time"].iloc[:-1]).all()
            rides += (shown["mode"] == "ride").sum()
    assert rides > 0


def test_an_itinerary_takes_a_departure_or_an_arrival(town):
    network, points = town
    for times in ({}, {"departure": "14:00", "arrival": "15:00"}):
        with pytest.raises(rc.InvalidParameterError, match="a departure or an arrival"):
            rc.itinerary(network, points.iloc[[0]], points.iloc[[1]], **times)


@pytest.mark.parametrize("share", [0.0, np.inf])  # arrivals by the trips boarded, or by origin
def test_a_matrix_written_in_parts_is_the_matrix_in_memory(town, tmp_path, monkeypatch, share):
    # In parts, the seconds are searched by chunks of destinations; by origin, chunks of
    # origins (of 4 here) then follow the journeys, each percentile in the draw it came from.
    network, points = town
    monkeypatch.setattr(transit, "ORIGIN_MINUTES_PER_STOP_BY_TRIPS", share)
    monkeypatch.setattr(rc.matrix, "origins_per_task", lambda n_destinations: 4)
    deadline = pd.Timestamp(QUERY_DATE) + pd.Timedelta(hours=15)  # the frequency-based buses run
    settings = {"mode": "transit", "arrival": deadline, "max_time": 60, "max_walk_time": 10, "seed": 7,
                "percentiles": [5, 50, 95]}  # fmt: skip
    whole = rc.travel_time_matrix(network, points, **settings)
    folder = rc.travel_time_matrix(network, points, out=tmp_path / "parts", **settings)
    assert len(list(folder.glob("*.parquet"))) > 1
    pd.testing.assert_frame_equal(pd.read_parquet(folder), whole, check_dtype=False)
    # The draws differ where frequency-based services run (towns 1 and 3).
    spread = (whole["arrival_p5"] != whole["arrival_p95"]) & whole["arrival_p5"].notna()
    assert spread.any() == (len(network.timetable.frequency_trip) > 0)


def test_departure_and_arrival_are_exclusive_and_arrival_is_one_deadline(town):
    network, points = town
    with pytest.raises(rc.InvalidParameterError, match="a departure or an arrival, not both"):
        rc.travel_time_matrix(
            network, points, mode="transit", departure="14:00", arrival="15:00", max_time=60
        )
    with pytest.raises(rc.InvalidParameterError, match="an arrival is one deadline"):
        rc.travel_time_matrix(network, points, mode="transit", arrival="15:00", time_window=10, max_time=60)
    with pytest.raises(rc.InvalidParameterError, match="isochrones are drawn forward from a departure"):
        rc.isochrones(network, points, mode="transit", arrival="15:00", cutoffs=[20])


def test_street_modes_arrive_at_the_deadline(tiny_town):
    points = pd.DataFrame({"id": ["a", "b"], "lon": [3.0005, 3.0025], "lat": [0.0, 0.001]})
    ttm = rc.travel_time_matrix(tiny_town, points, mode="walk", max_time=30, arrival="2024-01-01 08:00")
    forward = rc.travel_time_matrix(tiny_town, points, mode="walk", max_time=30)
    deadline = pd.Timestamp("2024-01-01 08:00")
    assert (ttm["arrival"] == deadline).all()
    pd.testing.assert_series_equal(ttm["travel_time"], forward["travel_time"])
    np.testing.assert_allclose((deadline - ttm["departure"]).dt.total_seconds(), forward["travel_time"] * 60)


@pytest.mark.parametrize("share", [0.0, np.inf])  # arrivals by the trips boarded, or by origin
@pytest.mark.parametrize("slow, fast", [("A", "B"), ("B", "A")])  # either route listed first
def test_of_two_buses_leaving_at_the_latest_departure_the_quicker_one_sets_the_arrival(
    tmp_path, slow, fast, share, monkeypatch
):
    monkeypatch.setattr(transit, "ORIGIN_MINUTES_PER_STOP_BY_TRIPS", share)
    # Both leave O at 08:00, the last ones to reach D3 by 09:00; one is there at 08:58, the
    # other at 08:20. Walking O -> D3 takes 103 min, more than max_time.
    trips = {"slow": (slow, [("O", "08:00:00"), ("D3", "08:58:00")]),
             "fast": (fast, [("O", "08:00:00"), ("D3", "08:20:00")])}  # fmt: skip
    network = transit_network(tmp_path, ("O", "D3"), trips)
    ttm = rc.travel_time_matrix(
        network, rules_points("O"), rules_points("D3"), mode="transit", arrival=f"{RULES_DATE} 09:00",
        max_time=90, board_slack=60,
    )  # fmt: skip
    assert ttm["departure"].iloc[0] == pd.Timestamp(f"{RULES_DATE} 07:59")
    assert ttm["arrival"].iloc[0] == pd.Timestamp(f"{RULES_DATE} 08:20")
    assert ttm["travel_time"].iloc[0] == 21.0


def test_on_poa_leaving_then_arrives_in_time_and_a_second_later_does_not(poa_transit, hexes):
    deadline = pd.Timestamp("2019-05-13 15:00")
    origins, destinations = hexes.iloc[3::97], hexes.iloc[::7]
    ttm = rc.travel_time_matrix(
        poa_transit, origins, destinations, mode="transit", arrival=deadline, max_time=90
    )
    reached = ttm.dropna()
    assert len(reached) > 0.5 * len(ttm)
    ridden = reached[reached["arrival"] < deadline]  # a walk alone arrives at the deadline itself
    checked = pd.concat([ridden.sample(30, random_state=1), reached.drop(ridden.index).head(5)])
    for pair in checked.itertuples():
        origin, destination = hexes[hexes["id"] == pair.from_id], hexes[hexes["id"] == pair.to_id]

        def arrival(leave, origin=origin, destination=destination):
            ttm = rc.travel_time_matrix(
                poa_transit, origin, destination, mode="transit", departure=leave, max_time=120
            )
            minutes = ttm["travel_time"].iloc[0]
            return pd.NaT if np.isnan(minutes) else leave + pd.Timedelta(seconds=round(minutes * 60))

        assert arrival(pair.departure) == pair.arrival <= deadline
        later = arrival(pair.departure + pd.Timedelta(seconds=1))
        assert pd.isna(later) or later > deadline


def test_on_poa_every_arrival_is_a_forward_search_leaving_at_its_departure(poa_transit, hexes, monkeypatch):
    # The arrivals come from one search per trip boarded first; here each origin's departures
    # are searched forward instead (the range kernel, over exactly those seconds).
    deadline = pd.Timestamp("2019-05-13 15:00")
    points = as_points(hexes)
    query = rc.matrix.routing_settings(poa_transit, "transit", max_time=120, arrival=deadline).transit
    lead, arrival = arrive_by(monkeypatch, poa_transit, points, points, query)
    start = deadline - pd.Timedelta(minutes=120)
    forward = rc.matrix.routing_settings(poa_transit, "transit", max_time=120, departure=start).transit
    checked = 0
    for origin in range(0, len(points), 137):
        reached = np.flatnonzero(lead[origin, :, 0] < UNREACHED)
        leave = query.deadlines[0] - lead[origin, reached, 0]
        times = np.unique(leave)
        searched = dataclasses.replace(forward, departures=times)
        ((_, _, seconds),) = transit.transit_blocks(
            poa_transit, points[origin : origin + 1], points, searched, keep_minutes=True
        )
        at = np.searchsorted(times, leave)
        np.testing.assert_array_equal(arrival[origin, reached, 0], leave + seconds[0, at, reached])
        checked += len(reached)
    assert checked > 5000


@pytest.mark.parametrize(
    "options",
    [{"max_walk_time": 10}, {"walk_speed": 5.5}, {"max_snap_distance": 150}, {"mode": "bike+transit"}],
)
def test_walks_kept_between_arrival_queries_follow_their_settings(poa_transit, hexes, options):
    # The origins' walks of an arrive-by query are kept for the next one from the same points
    # (a cluster's tasks each search their own destinations from them): a query with other
    # walking or access settings gets its own.
    few = hexes.iloc[::9].fillna({"jobs": 0})
    settings = {"columns": ["jobs"], "mode": "transit", "cutoffs": [45], "arrival": "2019-05-13 15:00"}
    first = rc.accessibility(poa_transit, few, few, **settings)
    after = rc.accessibility(poa_transit, few, few, **settings | options)
    poa_transit.query_cache.pop(("arrival walks",))
    alone = rc.accessibility(poa_transit, few, few, **settings | options)
    pd.testing.assert_frame_equal(after.drop(columns="mode"), alone.drop(columns="mode"))
    assert not np.array_equal(after["jobs"], first["jobs"])
