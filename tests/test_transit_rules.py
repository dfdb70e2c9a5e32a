"""Public transport rules on a hand-made street, against door-to-door times derived by hand.

The brute-force reference of test_transit_reference.py borrows the library's walking legs,
``transfers.txt`` handling and frequency expansion, so a mistake there would pass it. Here
every expected time is worked out by hand, in the comments, from the timetable and the street.

tests/data/transit_line.osm is one straight street along the meridian 3 E (drawing in the
file). The library measures streets by haversine on the sphere of radius 6,371,009 m, on
which one metre of meridian is 1 / 111,195.08 degree; the nodes lie at whole metres ``y``
north of the equator (to 1e-7 degree, within 0.006 m), so the walk along the street between
two nodes is the difference of their ``y``, and at ``walk_speed=3.6`` km/h (1 m/s) takes as
many seconds. Stops and points sit on nodes, except XE (100 m off the street, see there) and
F (3 km off, beyond the snapping limit: no walk reaches it).

Every walking leg below is a whole number of seconds to within 0.03 s and at most 400 s,
far from the 10-minute walking limit (600 s) used throughout, so neither how legs are
rounded nor where exactly the limit falls changes a result. Each test writes its own GTFS
feed; departures are at 08:00:00 on Monday 2019-05-13 unless said otherwise.
"""

from __future__ import annotations

import copy
import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod, Transformer

import reachable as rc
import reachable.routing.transit

STREET = Path(__file__).parent / "data" / "transit_line.osm"
METRES_PER_DEGREE = 6_371_009.0 * math.pi / 180  # of meridian, on the library's sphere
DATE = "2019-05-13"  # a Monday
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# Metres north of the equator of the street's nodes, by the names stops and points take.
Y = {
    "O": 0, "A": 200, "C0": 1900, "Q": 1900, "B": 2000, "C1": 2050, "C2": 2400,
    "D0": 3200, "X0": 3300, "D1": 4200, "X1": 4300, "D2": 5200, "X2": 5300, "D3": 6200, "X3": 6300,
}  # fmt: skip


def lat(name: str) -> float:
    """Latitude of a node as the OSM file has it (1e-7 degree)."""
    return round(Y[name] / METRES_PER_DEGREE, 7)


# XE: on B's parallel, 100 m east of the street. The walk between a point and its street is
# a straight line: 100.02 m on the WGS84 ellipsoid, 99.98 m in UTM 31N (checked below), so
# 100 s at 1 m/s whichever the library uses. F: 3 km east, farther than max_snap_distance
# (1,600 m) from any street, like a platform whose corridors are not mapped.
OFF_STREET = {"XE": (3.0008985, lat("B")), "F": (3.027, lat("B"))}


def where(name: str) -> tuple[float, float]:
    return OFF_STREET.get(name, (3.0, lat(name) if name in Y else math.nan))


def points(*names: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"id": names, "lon": [where(n)[0] for n in names], "lat": [where(n)[1] for n in names]}
    )


def write_stop_times(feed: Path, calls: dict) -> None:
    """``stop_times.txt`` of ``{trip_id: [(stop, "HH:MM:SS"), ...]}`` (arrival = departure)."""
    write_table(
        feed / "stop_times.txt",
        ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
        [[t, time, time, stop, i + 1] for t, stops in calls.items() for i, (stop, time) in enumerate(stops)],
    )


def write_table(path: Path, header: list[str], rows: list) -> None:
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def transit_network(folder: Path, stops, trips, transfers=(), frequencies=(), date=DATE) -> rc.Network:
    """The street with a feed of ``stops`` (names), ``trips`` ``{trip_id: (route_id, [(stop,
    "HH:MM:SS"), ...])}`` (arrival = departure), ``transfers`` ``[(from, to, seconds)]`` (all
    transfer_type 2) and ``frequencies`` ``[(trip_id, start, end, headway seconds)]``
    (exact_times 0), on a service running on weekdays of 2019, for service day(s) ``date``."""
    feed = folder / "line"
    feed.mkdir(parents=True)
    write_table(
        feed / "agency.txt",
        ["agency_id", "agency_name", "agency_url", "agency_timezone"],
        [["A", "Agency", "https://example.org", "UTC"]],
    )
    stop_rows = [[s, s, f"{where(s)[1]:.7f}", f"{where(s)[0]:.7f}"] for s in stops]
    write_table(feed / "stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon"], stop_rows)
    routes = sorted({route for route, _ in trips.values()})
    write_table(
        feed / "routes.txt",
        ["route_id", "agency_id", "route_short_name", "route_type"],
        [[r, "A", r, 3] for r in routes],
    )
    write_table(
        feed / "trips.txt",
        ["route_id", "service_id", "trip_id"],
        [[r, "WK", t] for t, (r, _) in trips.items()],
    )
    write_stop_times(feed, {t: calls for t, (_, calls) in trips.items()})
    write_table(
        feed / "calendar.txt",
        ["service_id", *WEEKDAYS, "start_date", "end_date"],
        [["WK", 1, 1, 1, 1, 1, 0, 0, "20190101", "20191231"]],
    )
    write_table(
        feed / "transfers.txt",
        ["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"],
        [[a, b, 2, seconds] for a, b, seconds in transfers],
    )
    if frequencies:
        write_table(
            feed / "frequencies.txt",
            ["trip_id", "start_time", "end_time", "headway_secs", "exact_times"],
            [[*row, 0] for row in frequencies],
        )
    return rc.Network.build(STREET, gtfs={"line": feed}, date=date, modes=["walk"], cache=False)


def transit_matrix(network, origins, destinations, *, departure="08:00:00", **options) -> pd.DataFrame:
    return rc.travel_time_matrix(
        network, points(*origins), points(*destinations), mode="transit", departure=departure,
        max_time=60, max_walk_time=10, walk_speed=3.6, **options,
    )  # fmt: skip


def seconds(network, origins, destinations, **options) -> dict:
    """Door-to-door seconds per (origin, destination); NaN where not reached within an hour."""
    ttm = transit_matrix(network, origins, destinations, **options)
    pairs = zip(ttm["from_id"], ttm["to_id"], strict=True)
    return dict(zip(pairs, np.round(ttm["travel_time"] * 60), strict=True))


def test_the_street_is_measured_in_whole_metres():
    """The geometry the expected times rest on, checked apart from any routing."""
    network = rc.Network.build(STREET, modes=["walk"], cache=False)
    y = np.array(sorted(set(Y.values())))
    np.testing.assert_allclose(np.sort(network.edges.length), np.sort(np.diff(y)), atol=0.012)
    # XE's gap to the street, measured independently two ways, is 100 m to 0.03 m.
    lon, lat_b = OFF_STREET["XE"]
    _, _, on_ellipsoid = Geod(ellps="WGS84").inv(3.0, lat_b, lon, lat_b)
    to_utm = Transformer.from_crs(4326, 32631, always_xy=True)
    in_utm = to_utm.transform(lon, lat_b)[0] - to_utm.transform(3.0, lat_b)[0]
    assert on_ellipsoid == pytest.approx(100, abs=0.03) and in_utm == pytest.approx(100, abs=0.03)


# --------------------------------------------------------------------------- transfers.txt


# F is off the streets on purpose, so a warning about it is expected.
@pytest.mark.filterwarnings("ignore:.*stops of GTFS feed:reachable.ReachableWarning")
def test_transfers_between_two_stops_take_the_longer_of_the_walk_and_the_minimum(tmp_path):
    # O walks 200 m to A: there at 08:03:20, may board from 08:04:20 (board_slack 60 s). The
    # feeder leaves A at 08:05:00 and reaches B at 08:15:00. From B a second ride leaves from
    # one of four stops, each line to its own terminus D, whose point X is 100 m further on:
    #
    #   stop  transfers.txt   walk from B        transfer   at the stop   may board from
    #   C0    not listed      100 m = 100 s      100 s      08:16:40      08:17:40
    #   C1    300 s           50 m = 50 s        300 s      08:20:00      08:21:00
    #   C2    120 s           400 m = 400 s      400 s      08:21:40      08:22:40
    #   F     240 s           none (off street)  240 s      08:19:00      08:20:00
    #
    # X0: misses the 08:17:30 from C0, takes the 08:18:00, D0 at 08:28:00, X0 at 08:29:40: 1780 s.
    # X1: the walk alone would catch the 08:17:00 from C1 (08:15:50 + 60 s); the minimum makes
    #     it the 08:21:00, caught exactly: D1 at 08:31:00, X1 at 08:32:40: 1960 s.
    # X2: the minimum alone would catch the 08:18:00 from C2 (08:17:00 + 60 s); the walk makes
    #     it the 08:23:00: D2 at 08:33:00, X2 at 08:34:40: 2080 s.
    # X3: no walk reaches F, the listed pair still does: misses the 08:16:00, takes the
    #     08:20:00 exactly: D3 at 08:30:00, X3 at 08:31:40: 1900 s.
    trips = {
        "feeder": ("R", [("A", "08:05:00"), ("B", "08:15:00")]),
        "c0_1": ("R0", [("C0", "08:17:30"), ("D0", "08:27:30")]),
        "c0_2": ("R0", [("C0", "08:18:00"), ("D0", "08:28:00")]),
        "c1_1": ("R1", [("C1", "08:17:00"), ("D1", "08:27:00")]),
        "c1_2": ("R1", [("C1", "08:21:00"), ("D1", "08:31:00")]),
        "c1_3": ("R1", [("C1", "08:25:00"), ("D1", "08:35:00")]),
        "c2_1": ("R2", [("C2", "08:18:00"), ("D2", "08:28:00")]),
        "c2_2": ("R2", [("C2", "08:23:00"), ("D2", "08:33:00")]),
        "f_1": ("R3", [("F", "08:16:00"), ("D3", "08:26:00")]),
        "f_2": ("R3", [("F", "08:20:00"), ("D3", "08:30:00")]),
    }
    network = transit_network(
        tmp_path,
        ["A", "B", "C0", "C1", "C2", "F", "D0", "D1", "D2", "D3"],
        trips,
        transfers=[("B", "C1", 300), ("B", "C2", 120), ("B", "F", 240)],
    )
    t = seconds(network, ["O"], ["X0", "X1", "X2", "X3"], board_slack=60)
    assert t == {("O", "X0"): 1780, ("O", "X1"): 1960, ("O", "X2"): 2080, ("O", "X3"): 1900}


def test_same_stop_transfer_time_after_a_ride(tmp_path):
    # transfers.txt B -> B, 180 s: boarding again at B after a ride there takes 180 s, that
    # is 120 s beyond a board_slack of 60 s, and nothing beyond a board_slack of 180 s or more.
    trips = {
        "feeder_1": ("R", [("A", "08:05:00"), ("B", "08:15:00")]),
        "feeder_2": ("R", [("A", "08:07:00"), ("B", "08:17:00")]),
        "on_17": ("S", [("B", "08:17:00"), ("D0", "08:27:00")]),
        "on_18": ("S", [("B", "08:18:00"), ("D0", "08:28:00")]),
        "on_20": ("S", [("B", "08:20:00"), ("D0", "08:30:00")]),
        "on_22": ("S", [("B", "08:22:00"), ("D0", "08:32:00")]),
    }
    network = transit_network(tmp_path, ["A", "B", "D0"], trips, transfers=[("B", "B", 180)])
    # board_slack 60: O at A at 08:03:20 (200 m), boards from 08:04:20: the 08:05:00 feeder,
    # B at 08:15:00. Boards again from 08:15:00 + 180 s = 08:18:00: not the 08:17:00 (which
    # board_slack alone would allow), the 08:18:00 exactly; D0 at 08:28:00, X0 (100 m on) at
    # 08:29:40: 1780 s.
    assert seconds(network, ["O"], ["X0"], board_slack=60) == {("O", "X0"): 1780}
    # board_slack 200: at A at 08:03:20, boards from 08:06:40: the 08:07:00 feeder, B at
    # 08:17:00. Boards again from 08:17:00 + 200 s = 08:20:20 (the 180 s lie within the slack):
    # not the 08:20:00, the 08:22:00; D0 at 08:32:00, X0 at 08:33:40: 2020 s.
    assert seconds(network, ["O"], ["X0"], board_slack=200) == {("O", "X0"): 2020}
    # Not after walking from the origin: Q leaves at 08:14:20, walks 100 m to B (08:16:00)
    # and boards from 08:17:00 with board_slack 60 alone: the 08:17:00 exactly, D0 at 08:27:00,
    # X0 at 08:28:40: 14 min 20 s = 860 s.
    assert seconds(network, ["Q"], ["X0"], departure="08:14:20", board_slack=60) == {("Q", "X0"): 860}


# --------------------------------------------------------------------------- board_slack


@pytest.fixture(scope="module")
def slack_network(tmp_path_factory):
    trips = {
        "t_03_20": ("R", [("A", "08:03:20"), ("B", "08:13:20")]),
        "t_04_20": ("R", [("A", "08:04:20"), ("B", "08:14:20")]),
        "t_10_00": ("R", [("A", "08:10:00"), ("B", "08:20:00")]),
    }
    return transit_network(tmp_path_factory.mktemp("slack"), ["A", "B"], trips)


# O reaches A at 08:03:20 (200 m); the ride ends at B, 100 m (100 s) from XE.
#   board_slack 0:  the 08:03:20 leaves as O arrives: caught; B 08:13:20, XE 08:15:00: 900 s.
#   board_slack 1:  the 08:03:20 is missed by one second; the 08:04:20: B 08:14:20, XE 08:16:00: 960 s.
#   board_slack 60: the 08:04:20 leaves exactly 60 s after O arrives: caught, 960 s.
#   board_slack 61: the 08:04:20 is missed by one second; the 08:10:00: B 08:20:00, XE 08:21:40: 1300 s.
SLACK_CASES = [(0, 900), (1, 960), (60, 960), (61, 1300)]


@pytest.mark.parametrize(("board_slack", "expected"), SLACK_CASES)
@pytest.mark.parametrize(
    "origins", [["O"], ["O", "Q"]], ids=["one origin", "origins searched together"]
)  # one origin: range RAPTOR; several at one departure minute: the kernel of neighbouring origins
def test_a_bus_leaving_board_slack_after_arrival_is_caught(slack_network, origins, board_slack, expected):
    t = seconds(slack_network, origins, ["XE"], board_slack=board_slack)
    assert t[("O", "XE")] == expected
    if "Q" in origins:  # Q walks 100 m to B and 100 m off the street: 200 s, whatever the slack
        assert t[("Q", "XE")] == 200


# --------------------------------------------------------------------------- frequencies and seeds


@pytest.fixture(scope="module")
def frequent_network(tmp_path_factory):
    # One line A -> B, a 10-min ride, every 20 min from 07:00 to 09:00 at an unknown phase
    # (frequencies.txt, exact_times 0): runs leave A at 07:00 + phase + k * 1200 s.
    trips = {"every_20_min": ("R", [("A", "07:00:00"), ("B", "07:10:00")])}
    frequencies = [("every_20_min", "07:00:00", "09:00:00", 1200)]
    return transit_network(tmp_path_factory.mktemp("freq"), ["A", "B"], trips, frequencies=frequencies)


# O reaches A at 08:03:20 (200 m) and may board from 08:04:20 (board_slack 60). A run leaves
# within the next 1200 s whatever the phase (runs go on until after 08:40), so the wait w is
# uniform on the whole seconds of [0, 1200) over draws of the phase. Then 600 s of ride and
# 100 s from B to XE: 200 + 60 + w + 600 + 100 = 960 + w seconds, in [960, 2159].
FASTEST, SLOWEST = 960, 960 + 1199


def test_the_same_seed_gives_the_same_times_another_seed_other_times(frequent_network):
    everything = {"percentiles": (0, 25, 50, 75, 100), "frequency_draws": 5, "board_slack": 60}
    # With 5 draws and one departure minute these 5 percentiles are the 5 sorted times.
    first = transit_matrix(frequent_network, ["O"], ["XE"], seed=1, **everything)
    again = transit_matrix(frequent_network, ["O"], ["XE"], seed=1, **everything)
    other = transit_matrix(frequent_network, ["O"], ["XE"], seed=2, **everything)
    pd.testing.assert_frame_equal(first, again)
    times = np.round(first.filter(like="travel_time").to_numpy() * 60)
    assert ((times >= FASTEST) & (times <= SLOWEST)).all()
    # Another seed draws other phases: equal frames would need the same 5 waits out of 1200
    # possible each, a chance below 1e-13.
    assert not first.equals(other)


def test_the_draws_of_the_last_settings_are_kept_for_the_next_queries(frequent_network, monkeypatch):
    network = copy.copy(frequent_network)  # a copy starts with no query cache
    expanded = []
    expand = reachable.routing.transit.expand_frequencies

    def counted(*args):
        expanded.append(args)
        return expand(*args)

    monkeypatch.setattr(reachable.routing.transit, "expand_frequencies", counted)
    five = {"percentiles": (0, 50, 100), "frequency_draws": 5, "board_slack": 60}
    first = transit_matrix(network, ["O"], ["XE"], seed=1, **five)
    assert len(expanded) == 5
    arrive_by = transit_matrix(network, ["O"], ["XE"], departure=None, arrival="08:40:00", seed=1, **five)
    pd.testing.assert_frame_equal(transit_matrix(network, ["O"], ["XE"], seed=1, **five), first)
    assert len(expanded) == 5  # the arrive-by query and the repeat reused the draws
    # Other settings draw again, and give what a network that never drew gives.
    other = transit_matrix(network, ["O"], ["XE"], seed=2, **five)
    assert len(expanded) == 10
    pd.testing.assert_frame_equal(
        other, transit_matrix(copy.copy(frequent_network), ["O"], ["XE"], seed=2, **five)
    )
    again = transit_matrix(network, ["O"], ["XE"], departure=None, arrival="08:40:00", seed=1, **five)
    pd.testing.assert_frame_equal(again, arrive_by)
    assert not first.equals(other)


def test_more_frequency_draws_spread_the_percentiles(frequent_network):
    def p5_p95(draws):
        ttm = transit_matrix(
            frequent_network,
            ["O"],
            ["XE"],
            percentiles=(5, 95),
            frequency_draws=draws,
            seed=7,
            board_slack=60,
        )
        return np.round(ttm[["travel_time_p5", "travel_time_p95"]].to_numpy()[0] * 60)

    # One draw, one departure minute: a single time, every percentile of it.
    p5, p95 = p5_p95(1)
    assert p5 == p95 and FASTEST <= p5 <= SLOWEST
    # 50 draws: p5 is the 3rd smallest of 50 uniform waits and p95 the 48th (nearest rank,
    # ceil(0.05 * 50) and ceil(0.95 * 50)). For them to lie within 600 s, 46 of the 50 waits
    # would have to fall in half the headway: below 1200 * P(Binomial(50, 1/2) >= 46) < 1e-6.
    p5, p95 = p5_p95(50)
    assert p5 >= FASTEST and p95 <= SLOWEST
    assert p95 - p5 > 600


def test_trips_that_overtake_go_to_lanes_of_their_own():
    """Routes split where a trip would overtake another: each trip is in the first lane whose
    trip before it is nowhere later than it (a lane of its own when there is none), lanes in
    the order they open; a pattern without overtaking stays one lane."""
    from reachable.network.transit import _split_overtaking

    def check_first_fit(times, lanes):
        assert sorted(row for lane in lanes for row in lane) == list(range(len(times)))
        lane_of = {row: k for k, lane in enumerate(lanes) for row in lane}
        for row in range(len(times)):
            for k in range(lane_of[row] + 1):
                before = [other for other in lanes[k] if other < row]
                fits = not before or bool(np.all(times[before[-1]] <= times[row]))
                assert fits == (k == lane_of[row]), (row, k)

    # A local at 8:00 and 8:20; an express leaving at 8:10 arrives before the 8:00 local.
    local, express = [0, 600, 1200], [600, 900, 1000]
    times = np.array([local, express, [t + 1200 for t in local]])
    assert _split_overtaking(times) == [[0, 2], [1]]
    assert _split_overtaking(np.array([local, [t + 60 for t in local]])) == [[0, 1]]
    rng = np.random.default_rng(5)
    n_split = 0
    for _ in range(200):
        n_trips, n_times = rng.integers(1, 8), rng.integers(2, 6)
        times = np.sort(rng.integers(0, 40, (n_trips, n_times)), axis=1)
        times = times[np.argsort(times[:, 0], kind="stable")]
        lanes = _split_overtaking(times)
        check_first_fit(times, lanes)
        n_split += len(lanes) > 1
    assert 20 < n_split < 200  # both kinds of pattern were drawn
