"""Bad input that used to slip through: now a clear error or one warning, message checked."""

from __future__ import annotations

import datetime
import io
import warnings
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import reachable as rc
from reachable.cli import main

from .conftest import TINY_TOWN

DEPARTURE = "2019-05-13 14:00"


@pytest.fixture(scope="module")
def few(places):
    return places.iloc[200:260:6].reset_index(drop=True)


# ---------------------------------------------------------------------------- saved networks
def test_a_truncated_network_file_is_a_network_format_error(tiny_town, tmp_path):
    path = tiny_town.save(tmp_path / "town.reachable")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(rc.NetworkFormatError, match="is not a reachable network file"):
        rc.Network.load(path)


def test_a_damaged_cache_entry_is_built_again_with_a_warning(tmp_path):
    rc.Network.build(TINY_TOWN, cache_dir=tmp_path)
    (entry,) = tmp_path.glob("*.reachable")
    entry.write_bytes(entry.read_bytes()[:1000])
    with pytest.warns(rc.ReachableWarning, match="is damaged .* building it again"):
        network = rc.Network.build(TINY_TOWN, cache_dir=tmp_path)
    assert network.modes == ("walk", "bike", "ebike", "moped", "car")
    rc.Network.load(entry)  # the entry was written again, whole


# ---------------------------------------------------------------------------- service days
def test_a_transit_query_on_a_day_without_service_warns_once_whatever_the_build_path(poa, tmp_path, few):
    with pytest.warns(rc.ReachableWarning, match="no service is scheduled on 2020-01-06"):
        rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date="2020-01-06", cache_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # from the cache: no warning at build time...
        network = rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date="2020-01-06", cache_dir=tmp_path)
    with pytest.warns(rc.ReachableWarning, match="no public transport trip on 2020-01-06") as caught:
        transit = rc.travel_time_matrix(
            network, few, mode="transit", departure="2020-01-06 14:00", max_time=60
        )
    assert sum("no public transport" in str(w.message) for w in caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", rc.ReachableWarning)  # ...and once per network
        rc.travel_time_matrix(network, few, mode="transit", departure="2020-01-06 15:00", max_time=60)
    walk = rc.travel_time_matrix(network, few, mode="walk", max_time=60)
    walk_only = walk["travel_time"].where(walk["travel_time"] <= 20)
    pd.testing.assert_series_equal(transit["travel_time"], walk_only)


# ---------------------------------------------------------------------------- swapped coordinates
def test_points_with_longitude_and_latitude_swapped_are_refused(poa_transit, few):
    swapped = pd.DataFrame({"id": few["id"], "lon": few.geometry.y, "lat": few.geometry.x})
    with pytest.raises(rc.InvalidPointsError, match=r"10 of the 10 origins .* latitude swapped"):
        rc.travel_time_matrix(poa_transit, swapped, mode="walk", max_time=30)


def test_points_mostly_elsewhere_are_refused_with_the_network_extent(poa_transit, few):
    elsewhere = pd.DataFrame({"id": few["id"], "lon": few.geometry.x + 1, "lat": few.geometry.y})
    with pytest.raises(rc.InvalidPointsError, match=r"10 of the 10 destinations .* span lon -51\.\d+ to"):
        rc.travel_time_matrix(poa_transit, few, elsewhere, mode="car", max_time=30)


def test_stops_outside_the_extract_warn_per_feed_and_swapped_stops_are_refused(poa, poa_transit, tmp_path):
    # The metro stops farther than 1,600 m from every walkable street, measured here with
    # shapely's distance to all the walking edges (not the library's snapping index).
    with zipfile.ZipFile(poa.gtfs[1]) as feed:
        stops = pd.read_csv(io.BytesIO(feed.read("stops.txt")))
    metric = gpd.GeoSeries(gpd.points_from_xy(stops["stop_lon"], stops["stop_lat"]), crs=4326)
    streets = shapely.multilinestrings(poa_transit.edge_index("walk").lines)
    off = int((shapely.distance(metric.to_crs(poa_transit.crs).to_numpy(), streets) > 1600).sum())
    assert 0 < off < len(stops)
    message = rf"{off} of the {len(stops)} stops of GTFS feed poa_trensurb \({off / len(stops):.0%}\)"
    with pytest.warns(rc.ReachableWarning, match=message):
        rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date="2019-05-13", cache=False)
    swapped = tmp_path / "swapped.zip"
    with zipfile.ZipFile(poa.gtfs[0]) as source, zipfile.ZipFile(swapped, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "stops.txt":
                stops = pd.read_csv(io.BytesIO(data))
                stops[["stop_lat", "stop_lon"]] = stops[["stop_lon", "stop_lat"]].to_numpy()
                data = stops.to_csv(index=False).encode()
            target.writestr(name, data)
    with pytest.raises(rc.GTFSError, match=r"swapped: fix the columns of its stops\.txt"):
        rc.Network.build(poa.osm, gtfs=[swapped], date="2019-05-13", cache=False)


# ---------------------------------------------------------------------------- the command line
def test_an_output_that_cannot_be_written_fails_at_once_in_one_line(capsys, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    points = tmp_path / "points.csv"
    pd.DataFrame({"id": ["a"], "lon": [3.0005], "lat": [0.0]}).to_csv(points, index=False)
    argv = ["matrix", "--osm", str(TINY_TOWN), "--origins", str(points), "--mode", "walk", "--max-time", "10",
            "--out", str(blocker / "ttm.csv"), "--no-progress", "--no-cache"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("reachable: error: cannot write to")
    assert "built the network" not in err
    demo = main(["demo", "--out", str(blocker / "results"), "--no-progress"])
    assert demo == 2 and "cannot write to" in capsys.readouterr().err


# ---------------------------------------------------------------------------- accessibility
@pytest.mark.parametrize("name", ["id", "mode", "cutoff", "percentile"])
def test_count_columns_named_like_output_columns_are_refused(poa_transit, few, name):
    renamed = few.rename(columns={"jobs": name}) if name != "id" else few
    with pytest.raises(rc.InvalidParameterError, match="taken by the output"):
        rc.accessibility(poa_transit, few, renamed, columns=[name], mode="walk", cutoffs=[30])


def test_infinite_counts_are_refused(poa_transit, few):
    with pytest.raises(rc.InvalidPointsError, match="'jobs' has 1 infinite counts"):
        rc.accessibility(poa_transit, few, few.assign(jobs=few["jobs"].where(few.index != 3, np.inf)),
                         columns="jobs", mode="walk", cutoffs=[30])  # fmt: skip


def test_a_plain_function_decays_like_the_decay_object(poa_transit, few):
    kwargs = {"columns": "jobs", "mode": "bike", "measure": "gravity", "max_time": 60}
    plain = rc.accessibility(poa_transit, few, few, decay=lambda t: np.exp(-0.1 * t), **kwargs)
    decay = rc.accessibility(poa_transit, few, few, decay=rc.decay.exponential(0.1), **kwargs)
    assert plain["jobs"].notna().all() and (plain["jobs"] > 0).all()
    np.testing.assert_allclose(plain["jobs"], decay["jobs"], rtol=1e-12)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"measure": "gravity", "decay": rc.decay.linear(30), "max_time": 0}, "max_time must be a positive"),
        ({"cutoffs": [30], "decay": rc.decay.linear(30)}, "decay and max_time are for measure='gravity'"),
        ({"cutoffs": [30], "max_time": 60}, "decay and max_time are for measure='gravity'"),
        ({"measure": "gravity", "decay": rc.decay.linear(30), "cutoffs": [30]}, "cutoffs are for"),
        ({"cutoffs": [30], "mode": []}, "mode is empty"),
    ],
)
def test_options_of_the_other_measure_are_refused(poa_transit, few, options, message):
    kwargs = {"columns": "jobs", "mode": "walk", **options}
    with pytest.raises(rc.InvalidParameterError, match=message):
        rc.accessibility(poa_transit, few, few, **kwargs)


def test_numpy_cutoffs_are_numbers(poa_transit, few):
    one = rc.accessibility(poa_transit, few, few, columns="jobs", mode="walk", cutoffs=np.int64(30))
    many = rc.accessibility(poa_transit, few, few, columns="jobs", mode="walk", cutoffs=np.array([30, 45]))
    assert one["cutoff"].unique().tolist() == [30.0] and many["cutoff"].unique().tolist() == [30.0, 45.0]
    pd.testing.assert_series_equal(one["jobs"], many["jobs"].iloc[: len(few)])


@pytest.mark.parametrize("function", [rc.travel_time_matrix, rc.isochrones])
def test_one_function_one_mode(poa_transit, few, function):
    limit = {"max_time": 30} if function is rc.travel_time_matrix else {"cutoffs": [30]}
    with pytest.raises(rc.InvalidParameterError, match="mode must be one mode name such as 'walk'"):
        function(poa_transit, few.iloc[:2], mode=["walk", "bike"], **limit)


# ---------------------------------------------------------------------------- departures
@pytest.mark.parametrize(
    ("departure", "message"),
    [
        ("2019-05-13", "has no time of day; write the time too, e.g. '2019-05-13 08:00'"),
        (datetime.datetime(2019, 5, 13, 14, tzinfo=datetime.timezone.utc), "has a time zone"),
        ("2019-05-13T14:00:00-03:00", "has a time zone"),
        (pd.Timestamp("2019-05-13 14:00", tz="America/Sao_Paulo"), "has a time zone"),
    ],
)
def test_departures_without_a_time_or_with_a_zone_are_refused(poa_transit, few, departure, message):
    with pytest.raises(rc.InvalidParameterError, match=message):
        rc.travel_time_matrix(poa_transit, few, mode="transit", departure=departure, max_time=30)


def test_transit_options_on_a_street_mode_warn_that_they_are_ignored(poa_transit, few):
    with pytest.warns(rc.ReachableWarning, match="departure, time_window only apply to mode='transit'"):
        rc.travel_time_matrix(poa_transit, few, mode="walk", max_time=30, departure=DEPARTURE, time_window=10)
    with pytest.warns(
        rc.ReachableWarning, match="max_walk_time only apply to mode='transit': ignored for car"
    ):
        rc.accessibility(poa_transit, few, few, columns="jobs", mode=["car"], cutoffs=[30], max_walk_time=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rc.ReachableWarning)  # with transit among the modes, they apply
        rc.accessibility(poa_transit, few, few, columns="jobs", mode=["walk", "transit"], cutoffs=[30],
                         departure=DEPARTURE, max_walk_time=10)  # fmt: skip
