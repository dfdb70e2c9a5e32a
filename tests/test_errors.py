"""Bad input gets a clear reachable exception that is also the matching builtin."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import reachable as rc

from .conftest import TINY_TOWN

POINTS = pd.DataFrame({"id": ["a", "b"], "lon": [3.0005, 3.0025], "lat": [0.0, 0.001]})


def test_every_error_is_a_reachable_error():
    for name in rc.errors.__all__:
        error = getattr(rc.errors, name)
        if name != "ReachableWarning":
            assert issubclass(error, rc.ReachableError)


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm"])
def test_missing_osm_file(tmp_path, suffix):
    with pytest.raises(rc.DataFileNotFoundError, match="not found") as caught:
        rc.Network.build(tmp_path / f"nowhere{suffix}")
    assert isinstance(caught.value, FileNotFoundError)


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm"])
def test_empty_osm_file(tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(rc.OSMFileError, match="empty"):
        rc.Network.build(path, cache=False)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.osm.pbf", b"id,lon,lat\n1,2,3\n"),
        ("notes.osm", b"this is not xml"),
        ("page.osm", b"<html></html>"),
    ],
)
def test_file_that_is_not_osm(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(rc.OSMFileError, match=str(path.name)) as caught:
        rc.Network.build(path, cache=False)
    assert isinstance(caught.value, ValueError)


def test_osm_file_without_streets(tmp_path):
    path = tmp_path / "buildings.osm"
    path.write_text(
        '<osm version="0.6"><node id="1" lat="0" lon="0"/><node id="2" lat="0" lon="0.001"/>'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="building" v="yes"/></way></osm>'
    )
    with pytest.raises(rc.OSMFileError, match="no street"):
        rc.Network.build(path, cache=False)


def test_ways_of_a_clipped_extract_keep_the_nodes_it_has(tmp_path, caplog):
    """Nodes missing from the file (an extract clipped through a way) are dropped from their
    way, which is kept when two nodes remain; the others go, and the count is logged."""
    from reachable.osm.reader import read_street_ways

    path = tmp_path / "clipped.osm"
    nodes = "".join(f'<node id="{i}" lat="0" lon="{i / 1000}"/>' for i in (1, 2, 3, 5))
    way = '<way id="{}">{}<tag k="highway" v="residential"/></way>'
    ways = [way.format(10, '<nd ref="1"/><nd ref="4"/><nd ref="2"/><nd ref="3"/>'),
            way.format(20, '<nd ref="3"/><nd ref="6"/>'),  # one node left: no street
            way.format(30, '<nd ref="3"/><nd ref="5"/>')]  # fmt: skip
    path.write_text(f'<osm version="0.6">{nodes}{"".join(ways)}</osm>')
    with caplog.at_level("WARNING", logger="reachable"):
        streets = read_street_ways(path, ("walk",))
    assert streets.way_id.tolist() == [10, 30]
    assert streets.way_offsets.tolist() == [0, 3, 5]
    assert streets.node_ref.tolist() == [1, 2, 3, 3, 5]
    np.testing.assert_allclose(streets.lon, [0.001, 0.002, 0.003, 0.003, 0.005])
    np.testing.assert_allclose(streets.lat, 0.0)
    assert "2 way nodes have no location" in caplog.text


def test_gtfs_and_date_go_together(tmp_path):
    with pytest.raises(rc.InvalidParameterError, match="gtfs and date go together"):
        rc.Network.build(TINY_TOWN, gtfs=["feed.zip"])
    with pytest.raises(rc.InvalidParameterError, match="gtfs and date go together"):
        rc.Network.build(TINY_TOWN, date="2019-05-13")
    with pytest.raises(rc.DataFileNotFoundError, match=r"feed\.zip"):
        rc.Network.build(TINY_TOWN, gtfs=[tmp_path / "feed.zip"], date="2019-05-13")


def test_osm_of_the_wrong_type():
    with pytest.raises(rc.OSMFileError, match="MultiDiGraph"):
        rc.Network.build(42)


@pytest.mark.parametrize("modes", [["plane"], [], "teleport"])
def test_unknown_build_modes(modes):
    with pytest.raises((rc.UnknownModeError, rc.InvalidParameterError)):
        rc.Network.build(TINY_TOWN, modes=modes, cache=False)


def test_unknown_mode_and_mode_not_built(tiny_town):
    with pytest.raises(rc.UnknownModeError, match="plane") as caught:
        rc.travel_time_matrix(tiny_town, POINTS, mode="plane", max_time=10)
    assert isinstance(caught.value, ValueError)
    walk_only = rc.Network.build(TINY_TOWN, modes=["walk"], cache=False)
    with pytest.raises(rc.UnknownModeError, match="modes="):
        rc.travel_time_matrix(walk_only, POINTS, mode="car", max_time=10)


@pytest.mark.parametrize(
    "options",
    [
        {"max_time": 0},
        {"max_time": -5},
        {"max_time": float("nan")},
        {"max_time": "45"},
        {"walk_speed": -1},
        {"bike_speed": 0},
        {"car_speed_factor": -0.5},
        {"max_snap_distance": -10},
    ],
)
def test_impossible_parameters(tiny_town, options):
    kwargs = {"mode": "walk", "max_time": 10, **options}
    with pytest.raises(rc.InvalidParameterError, match=next(iter(options))):
        rc.travel_time_matrix(tiny_town, POINTS, **kwargs)


def test_points_without_crs(tiny_town):
    frame = gpd.GeoDataFrame({"id": [1, 2]}, geometry=gpd.points_from_xy([3.0, 3.001], [0, 0]))
    with pytest.raises(rc.CRSError, match="set_crs"):
        rc.travel_time_matrix(tiny_town, frame, mode="walk", max_time=10)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (POINTS.assign(id=["a", "a"]), "duplicate ids: 'a'"),
        (POINTS.assign(id=["a", None]), "missing ids, at rows 1"),
        (POINTS.drop(columns="id"), "no 'id' column"),
        (POINTS.drop(columns="lat"), "no lat column"),
        (POINTS.assign(lon=[3.0, np.nan]), "coordinates for ids 'b'"),
        (POINTS.assign(lat=[0.0, 95.0]), "out-of-range"),
        (POINTS.iloc[:0], "empty"),
        ([(1, 2)], "GeoDataFrame"),
    ],
)
def test_malformed_points(tiny_town, frame, message):
    with pytest.raises(rc.InvalidPointsError, match=message):
        rc.travel_time_matrix(tiny_town, frame, mode="walk", max_time=10)


def test_polygons_are_not_points(tiny_town):
    frame = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.box(3.0, 0.0, 3.001, 0.001)], crs=4326)
    with pytest.raises(rc.InvalidPointsError, match="representative_point"):
        rc.travel_time_matrix(tiny_town, POINTS, frame, mode="walk", max_time=10)


def test_loading_a_file_that_is_not_a_network(tmp_path):
    path = tmp_path / "x.reachable"
    path.write_bytes(b"hello")
    with pytest.raises(rc.NetworkFormatError, match="not a reachable network"):
        rc.Network.load(path)
    with pytest.raises(rc.DataFileNotFoundError):
        rc.Network.load(tmp_path / "missing.reachable")
