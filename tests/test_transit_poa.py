"""Public transport on the real Porto Alegre feeds: sanity, API behaviour, reproducibility."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import reachable as rc

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")

DEPARTURE = "2019-05-13 14:00"


@pytest.fixture(scope="module")
def transit_network(poa, tmp_path_factory):
    return rc.Network.build(
        poa.osm, gtfs=list(poa.gtfs), date="2019-05-13", cache_dir=tmp_path_factory.mktemp("cache")
    )


@pytest.fixture(scope="module")
def sample(hexes):
    return hexes.iloc[::25].reset_index(drop=True)


def test_network_knows_its_service_day_and_modes(transit_network):
    assert transit_network.date.isoformat() == "2019-05-13"
    assert "transit" in transit_network.modes
    assert {f["name"] for f in transit_network.timetable.feeds} == {"poa_eptc", "poa_trensurb"}


def test_percentile_columns_are_ordered(transit_network, sample):
    ttm = rc.travel_time_matrix(
        transit_network, sample, mode="transit", departure=DEPARTURE, time_window=30,
        percentiles=(5, 50, 95), max_time=120,
    )  # fmt: skip
    assert list(ttm.columns) == ["from_id", "to_id", "travel_time_p5", "travel_time_p50", "travel_time_p95"]
    both = ttm.dropna()
    assert len(both) > 0.5 * len(ttm)
    # Each is the nearest-rank percentile of 30 searches of one departure minute each (the
    # window reuses labels from minute to minute, the single minutes search the sample's
    # origins together: other code): sorted index ceil(p / 100 * 30) - 1, unreached last.
    # (That p5 <= p50 <= p95 would hold by construction.)
    minutes = np.sort(
        [
            rc.travel_time_matrix(
                transit_network, sample, mode="transit", departure=f"14:{m:02d}", max_time=120
            )["travel_time"].fillna(np.inf)
            for m in range(30)
        ],
        axis=0,
    )
    for p, rank in ((5, 1), (50, 14), (95, 28)):
        np.testing.assert_array_equal(ttm[f"travel_time_p{p}"].fillna(np.inf), minutes[rank])
    # A window gives a spread: somewhere the 95th percentile waits longer than the 5th.
    assert (both["travel_time_p95"] > both["travel_time_p5"]).mean() > 0.3


def test_transit_helps_beyond_walking_range(transit_network, sample):
    transit = rc.travel_time_matrix(transit_network, sample, mode="transit", departure=DEPARTURE, max_time=60)
    walk = rc.travel_time_matrix(transit_network, sample, mode="walk", max_time=60)
    assert transit["travel_time"].notna().sum() > 1.5 * walk["travel_time"].notna().sum()
    # Within the walking limit transit is never slower than walking alone.
    short = walk["travel_time"] <= 20
    assert (transit["travel_time"][short] <= walk["travel_time"][short] + 1e-9).all()


def test_departure_before_the_buses_run_relies_on_walking_and_the_metro(transit_network, sample):
    early = rc.travel_time_matrix(transit_network, sample, mode="transit", departure="05:00", max_time=60)
    afternoon = rc.travel_time_matrix(transit_network, sample, mode="transit", departure="14:00", max_time=60)
    assert early["travel_time"].notna().sum() < afternoon["travel_time"].notna().sum()


def test_itinerary_agrees_with_the_matrix(transit_network, poa):
    points = rc.datasets.porto_alegre_points_of_interest()
    ttm = rc.travel_time_matrix(transit_network, points, mode="transit", departure=DEPARTURE, max_time=120)
    ttm = ttm.set_index(["from_id", "to_id"])["travel_time"]
    rides = 0
    for origin, destination in [(0, 14), (1, 12), (9, 3), (13, 7), (4, 10)]:
        legs = rc.itinerary(
            transit_network, points.iloc[[origin]], points.iloc[[destination]], departure=DEPARTURE
        )
        expected = ttm[points["id"][origin], points["id"][destination]]
        total = (legs["arrival_time"].iloc[-1] - pd.Timestamp(DEPARTURE)).total_seconds() / 60
        assert total == pytest.approx(expected, abs=1e-9)
        # Legs follow each other in time; a ride leaves after the walk that reaches it.
        assert (legs["departure_time"].iloc[1:].to_numpy() >= legs["arrival_time"].iloc[:-1].to_numpy()).all()
        assert (legs.loc[legs["mode"] == "walk", "duration"] <= 20 + 1e-9).all()
        rides += (legs["mode"] == "ride").sum()
        assert legs.crs.to_epsg() == 4326
        # A walk's geometry is the street path behind its time: 1 m per second at 3.6 km/h
        # (1 % for UTM against great-circle lengths, plus the rounding to the second).
        walks = legs[legs["mode"] == "walk"]
        metres = walks.to_crs(31982).length.to_numpy()
        np.testing.assert_allclose(metres, walks["duration"].to_numpy() * 60, rtol=0.01, atol=1.5)
    assert rides >= 3


def test_an_itinerary_arriving_by_a_deadline_is_the_arrive_by_matrix_pair(transit_network):
    points = rc.datasets.porto_alegre_points_of_interest()
    deadline = pd.Timestamp("2019-05-13 15:00")
    ttm = rc.travel_time_matrix(transit_network, points, mode="transit", arrival=deadline, max_time=120)
    ttm = ttm.set_index(["from_id", "to_id"])
    rides = 0
    for origin, destination in [(0, 14), (1, 12), (9, 3), (13, 7), (4, 10)]:
        here, there = points.iloc[[origin]], points.iloc[[destination]]
        legs = rc.itinerary(transit_network, here, there, arrival=deadline)
        pair = ttm.loc[(points["id"][origin], points["id"][destination])]
        assert legs["departure_time"].iloc[0] == pair["departure"]
        assert legs["arrival_time"].iloc[-1] == pair["arrival"] <= deadline
        rides += (legs["mode"] == "ride").sum()
    assert rides >= 3


def test_same_results_in_two_processes(tmp_path, poa):
    script = textwrap.dedent(
        f"""
        import sys, warnings
        warnings.simplefilter("ignore")
        import reachable as rc
        paths = rc.datasets.porto_alegre()
        net = rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date="2019-05-13", cache=False)
        hexes = rc.datasets.porto_alegre_hexgrid().iloc[::40]
        ttm = rc.travel_time_matrix(net, hexes, mode="transit", departure="{DEPARTURE}", time_window=10,
                                    percentiles=(25, 50), max_time=90)
        ttm.to_csv(sys.argv[1], index=False)
        """
    )
    outputs = []
    for run in range(2):
        out = tmp_path / f"run{run}.csv"
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, timeout=600)
        outputs.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(outputs[0], outputs[1])
    assert outputs[0]["travel_time_p50"].notna().mean() > 0.3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"departure": None}, "needs a departure"),
        ({"departure": "2019-05-14 14:00"}, "not on 2019-05-13"),
        ({"departure": "two pm"}, "departure must look like"),
        ({"departure": DEPARTURE, "time_window": 0}, "time_window"),
        ({"departure": DEPARTURE, "percentiles": (50, 101)}, "percentiles"),
        ({"departure": DEPARTURE, "max_transfers": -1}, "max_transfers"),
        ({"departure": DEPARTURE, "board_slack": -1}, "board_slack"),
        ({"departure": DEPARTURE, "max_walk_time": 0}, "max_walk_time"),
    ],
)
def test_bad_transit_parameters(transit_network, sample, options, message):
    with pytest.raises(rc.InvalidParameterError, match=message):
        rc.travel_time_matrix(transit_network, sample, mode="transit", max_time=60, **options)


def test_transit_needs_a_timetable(poa_network, sample):
    with pytest.raises(rc.UnknownModeError, match="gtfs= and date="):
        rc.travel_time_matrix(poa_network, sample, mode="transit", departure=DEPARTURE, max_time=60)


def test_saved_network_keeps_the_timetable(transit_network, sample, tmp_path):
    loaded = rc.Network.load(transit_network.save(tmp_path / "poa.reachable"))
    assert loaded.date == transit_network.date
    np.testing.assert_array_equal(
        loaded.timetable.stop_time_arrival, transit_network.timetable.stop_time_arrival
    )
    a = rc.travel_time_matrix(loaded, sample, mode="transit", departure=DEPARTURE, max_time=60)
    b = rc.travel_time_matrix(transit_network, sample, mode="transit", departure=DEPARTURE, max_time=60)
    pd.testing.assert_frame_equal(a, b)
