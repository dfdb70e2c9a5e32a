"""Routing on the hand-made town of tests/data/tiny_town.osm, against times derived by hand.

All streets are 0.001 degree long on the equator or on a meridian, so each is
``D = R * radians(0.001)`` metres (R the mean earth radius OSMnx uses), and a time is
``D / speed``. See the drawing at the top of the fixture.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import reachable as rc

D = 6_371_009.0 * math.radians(0.001)  # metres of every street piece
MPH = 1.609344


def seconds(metres: float, kph: float) -> float:
    return metres / (kph / 3.6)


RESIDENTIAL_30MPH = seconds(D, 30 * MPH)  # w1 pieces A-B, B-C, C-D
ONEWAY_36 = seconds(D, 36)  # w2 pieces E-F, F-G, G-H
DEFAULT_RESIDENTIAL = seconds(D, 30)  # w3 A-E, w4 D-H (no maxspeed: the residential default)
MOTORWAY_90 = seconds(D, 90)  # w6 C-G
PRIMARY_100 = seconds(D, 100)  # w7 A-B, parallel to w1


def points(*rows):
    return pd.DataFrame(rows, columns=["id", "lon", "lat"])


# Points exactly on the intersections A..H (node ids 1..8).
NODES = points(
    ("A", 3.000, 0.000),
    ("B", 3.001, 0.000),
    ("C", 3.002, 0.000),
    ("D", 3.003, 0.000),
    ("E", 3.000, 0.001),
    ("F", 3.001, 0.001),
    ("G", 3.002, 0.001),
    ("H", 3.003, 0.001),
)


def times(network, mode, origins=NODES, destinations=NODES, **options):
    ttm = rc.travel_time_matrix(network, origins, destinations, mode=mode, max_time=60, **options)
    return ttm.set_index(["from_id", "to_id"])["travel_time"] * 60


def test_graphs_keep_the_ways_each_mode_may_use(tiny_town):
    ids = tiny_town.edges.node_id
    walk, car = tiny_town.graph("walk"), tiny_town.graph("car")
    # The island (nodes 20, 21) is dropped from every mode; the motorway is not walked.
    assert sorted(ids[walk.node]) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sorted(ids[car.node]) == [1, 2, 3, 4, 5, 6, 7, 8]
    walk_ways = set(tiny_town.edges.way_id[walk.arc_edge])
    assert walk_ways == {101, 102, 103, 104, 105, 107}
    # Car: w1 (2 x 3 pieces), w7 (2), w3 (2), w2 one way (3), w4 one way (1), motorway one way (1).
    assert car.n_arcs == 6 + 2 + 2 + 3 + 1 + 1
    assert set(tiny_town.edges.way_id[car.arc_edge]) == {101, 102, 103, 104, 106, 107}
    assert 105 not in set(tiny_town.edges.way_id[tiny_town.graph("bike").arc_edge])
    assert 106 not in set(tiny_town.edges.way_id[tiny_town.graph("moped").arc_edge])


def test_car_follows_oneway_and_takes_the_cheapest_parallel_edge(tiny_town):
    t = times(tiny_town, "car")
    # A -> B uses the parallel primary (100 km/h), never the sum of the two edges.
    assert t["A", "B"] == pytest.approx(round(PRIMARY_100), abs=0.5)
    # A -> H: primary A-B, residential B-C, motorway C->G, one-way G->H.
    assert t["A", "H"] == pytest.approx(PRIMARY_100 + RESIDENTIAL_30MPH + MOTORWAY_90 + ONEWAY_36, abs=0.5)
    # H -> A cannot go back along w2 (oneway) but may take w4 (oneway=-1 is H -> D).
    assert t["H", "A"] == pytest.approx(DEFAULT_RESIDENTIAL + 2 * RESIDENTIAL_30MPH + PRIMARY_100, abs=0.5)
    # F -> E against the one-way street: round by G, H, D, C, B, A.
    expected = 2 * ONEWAY_36 + DEFAULT_RESIDENTIAL + 2 * RESIDENTIAL_30MPH + PRIMARY_100 + DEFAULT_RESIDENTIAL
    assert t["F", "E"] == pytest.approx(expected, abs=0.5)


def test_bike_may_ride_against_a_oneway_tagged_oneway_bicycle_no(tiny_town):
    t = times(tiny_town, "bike")
    assert t["F", "E"] == pytest.approx(seconds(D, 12), abs=0.5)
    # The footway B-F is not ridden: B -> F goes by A and E (3 pieces).
    assert t["B", "F"] == pytest.approx(3 * seconds(D, 12), abs=0.5)


def test_walk_ignores_oneway_and_uses_footways(tiny_town):
    t = times(tiny_town, "walk")
    one_piece = seconds(D, 3.6)
    assert t["F", "E"] == pytest.approx(one_piece, abs=0.5)
    assert t["B", "F"] == pytest.approx(one_piece, abs=0.5)
    assert t["A", "H"] == pytest.approx(4 * one_piece, abs=0.5)
    assert t["D", "H"] == pytest.approx(one_piece, abs=0.5)


def test_moped_avoids_motorways_and_caps_speed_at_45(tiny_town):
    t = times(tiny_town, "moped")
    assert t["A", "B"] == pytest.approx(seconds(D, 45), abs=0.5)
    # Without the motorway, A -> H goes by E: A-E at 30, then the one-way street at 36.
    assert t["A", "H"] == pytest.approx(DEFAULT_RESIDENTIAL + 3 * ONEWAY_36, abs=0.5)


def test_car_speed_factor_scales_car_times(tiny_town):
    slow = times(tiny_town, "car", car_speed_factor=0.5)
    assert slow["A", "B"] == pytest.approx(round(2 * PRIMARY_100), abs=0.5)


def test_points_snap_to_edges_and_walk_the_gap(tiny_town):
    # Times are rounded to the second, and the gaps are measured in UTM on the ellipsoid
    # (0.6 % shorter north-south at the equator than on the sphere): 1 s of tolerance.
    # P hangs 0.0001 degree (11.1 m) south of the middle of B-C; Q as far north of the middle of E-F.
    gap = 6_371_009.0 * math.radians(0.0001)
    pair = points(("P", 3.0015, -0.0001), ("Q", 3.0005, 0.0011))
    walk = times(tiny_town, "walk", pair, pair)
    # P -> B (half a piece), B -> F footway, F -> Q (half a piece), plus both gaps.
    expected = seconds(D / 2 + D + D / 2 + 2 * gap, 3.6)
    assert walk["P", "Q"] == pytest.approx(expected, abs=1)
    car = times(tiny_town, "car", pair, pair)
    # Car: P -> B (half w1 piece) -> A (primary) -> E -> Q along the one-way street.
    expected = (
        RESIDENTIAL_30MPH / 2 + PRIMARY_100 + DEFAULT_RESIDENTIAL + ONEWAY_36 / 2 + seconds(2 * gap, 3.6)
    )
    assert car["P", "Q"] == pytest.approx(expected, abs=1)


def test_points_on_one_edge_travel_along_it_in_the_allowed_direction(tiny_town):
    pair = points(("west", 3.00025, 0.001), ("east", 3.00075, 0.001))  # both on one-way E -> F
    car = times(tiny_town, "car", pair, pair)
    assert car["west", "east"] == pytest.approx(ONEWAY_36 / 2, abs=0.5)
    around = ONEWAY_36 * (0.25 + 2) + DEFAULT_RESIDENTIAL * 2 + 2 * RESIDENTIAL_30MPH + PRIMARY_100
    assert car["east", "west"] == pytest.approx(around + ONEWAY_36 * 0.25, abs=0.5)
    assert car["west", "west"] == 0


def test_snapping_is_remembered_per_point_set_and_limit(tiny_town):
    # A service asks for the same points again: the second answer is the first one, kept
    # read-only; another limit or other points are snapped anew.
    lon, lat = np.array([3.0015, 3.0005]), np.array([-0.0001, 0.0011])
    first = tiny_town.snap("walk", lon, lat, max_snap_distance=50)
    assert tiny_town.snap("walk", lon.copy(), lat.copy(), max_snap_distance=50) is first
    assert not first.edge.flags.writeable
    near = tiny_town.snap("walk", lon, lat, max_snap_distance=5)  # both gaps are 11 m
    assert (first.edge >= 0).all() and (near.edge == -1).all()
    moved = tiny_town.snap("walk", lon[::-1], lat[::-1], max_snap_distance=50)
    assert (moved.edge == first.edge[::-1]).all()


def test_big_point_sets_are_snapped_anew_not_kept(tiny_town, monkeypatch):
    monkeypatch.setattr(rc.network.snapping, "RECENT_POINTS", 1)
    lon, lat = np.array([3.0015, 3.0005]), np.array([0.0, 0.001])
    first = tiny_town.snap("walk", lon, lat, max_snap_distance=50)
    again = tiny_town.snap("walk", lon, lat, max_snap_distance=50)
    assert again is not first and (again.edge == first.edge).all()


def test_points_far_from_streets_are_unreachable_with_one_warning(tiny_town):
    pair = points(("near", 3.0015, 0.0), ("island", 3.1005, 0.0))
    with pytest.warns(rc.ReachableWarning, match=r"1 origins .* 'island'"):
        ttm = rc.travel_time_matrix(tiny_town, pair, mode="walk", max_time=60)
    t = ttm.set_index(["from_id", "to_id"])["travel_time"]
    assert math.isnan(t["near", "island"]) and math.isnan(t["island", "near"])
    assert t["island", "island"] == 0


def test_times_beyond_max_time_are_nan(tiny_town):
    ttm = rc.travel_time_matrix(tiny_town, NODES, mode="walk", max_time=2.5)
    t = ttm.set_index(["from_id", "to_id"])["travel_time"]
    one_piece = seconds(D, 3.6) / 60  # 1.85 minutes
    assert t["A", "B"] == pytest.approx(one_piece, abs=1 / 60)
    assert math.isnan(t["A", "C"])


def test_to_networkx_matches_the_kernel(tiny_town):
    G = tiny_town.to_networkx("car")
    assert G.graph["crs"] == "epsg:4326"
    assert G.nodes[1]["x"] == pytest.approx(3.0)
    assert G.number_of_edges(1, 2) == 2  # parallel residential and primary
    lengths = nx.single_source_dijkstra_path_length(G, 1, weight="travel_time")
    assert lengths[8] == pytest.approx(PRIMARY_100 + RESIDENTIAL_30MPH + MOTORWAY_90 + ONEWAY_36)
    data = min(G.get_edge_data(1, 2).values(), key=lambda d: d["travel_time"])
    assert data["length"] == pytest.approx(D) and data["speed_kph"] == pytest.approx(100)


def test_build_from_an_osmnx_graph_gives_the_same_times(tiny_town):
    ox = pytest.importorskip("osmnx")
    from .conftest import TINY_TOWN

    G = ox.graph_from_xml(TINY_TOWN, simplify=False, retain_all=True)
    from_graph = rc.Network.build(G)
    for mode in ("walk", "car"):
        ours = times(from_graph, mode)
        reference = times(tiny_town, mode)
        pd.testing.assert_series_equal(ours, reference)


def test_pbf_and_xml_give_the_same_network(tiny_town, tmp_path):
    import osmium

    from .conftest import TINY_TOWN

    pbf = tmp_path / "tiny_town.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(TINY_TOWN)):
            writer.add(obj)
    from_pbf = rc.Network.build(pbf, cache=False)
    for name in ("node_id", "u", "v", "length", "car_speed", "directions"):
        np.testing.assert_array_equal(getattr(from_pbf.edges, name), getattr(tiny_town.edges, name))
