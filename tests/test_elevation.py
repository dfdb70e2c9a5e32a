"""Elevation rasters make walking and cycling times depend on slope and direction.

The hill: a street climbing due north from the equator, on a raster whose elevation is
``K`` metres per degree of latitude. Bilinear interpolation reproduces that plane exactly and
great-circle metres along a meridian are linear in latitude, so every piece of the street has
the grade ``GRADE`` and the times up and down follow from the speed models' formulas alone.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

import reachable as rc
from reachable.cli import main
from reachable.network import elevation as model

R = 6_371_009.0  # the mean earth radius of great-circle lengths
GRADE = 0.06
K = GRADE * R * math.radians(1)  # metres of elevation per degree of latitude
TOP = 0.0009  # latitude of the top of the hill: a 100 m climb with a bend-less vertex halfway
HILL_OSM = f"""<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" lat="0.0" lon="0.0" version="1"/>
  <node id="2" lat="{TOP / 2}" lon="0.0" version="1"/>
  <node id="3" lat="{TOP}" lon="0.0" version="1"/>
  <node id="4" lat="0.0" lon="0.0009" version="1"/>
  <way id="1" version="1">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/>
  </way>
  <way id="2" version="1">
    <nd ref="1"/><nd ref="4"/><tag k="highway" v="residential"/>
  </way>
</osm>
"""
PIXEL = 0.0001  # degrees
WEST, NORTH, WIDTH, HEIGHT = -0.001, 0.002, 30, 40
ENDS = pd.DataFrame({"id": ["bottom", "top"], "lon": [0.0, 0.0], "lat": [0.0, TOP]})


def write_raster(path, values, *, crs="EPSG:4326", west=WEST, north=NORTH, pixel=PIXEL, nodata=-9999.0):
    import rasterio

    with rasterio.open(
        path, "w", driver="GTiff", height=values.shape[0], width=values.shape[1], count=1,
        dtype="float64", crs=crs, transform=rasterio.Affine(pixel, 0, west, 0, -pixel, north), nodata=nodata,
    ) as raster:  # fmt: skip
        raster.write(values, 1)
    return path


def plane(height=HEIGHT, width=WIDTH):
    """``K`` metres per degree of latitude, at the pixel centres."""
    lat = NORTH - (np.arange(height) + 0.5) * PIXEL
    return np.repeat((K * lat)[:, None], width, axis=1)


@pytest.fixture(scope="module")
def hill_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hill")
    osm = folder / "hill.osm"
    osm.write_text(HILL_OSM)
    return osm, write_raster(folder / "hill.tif", plane())


@pytest.fixture(scope="module")
def hill(hill_files):
    osm, raster = hill_files
    return rc.Network.build(osm, elevation=raster, cache=False)


def street(network, lat_span: bool):
    """The edge of the north-south street (``lat_span``) or of the flat east-west one."""
    edges = network.edges
    north_south = edges.node_lat[edges.u] != edges.node_lat[edges.v]
    (edge,) = np.flatnonzero(north_south == lat_span)
    return edge


def climbing_speed(grade, flat_kph, *, mass, extra_power=0.0):
    """Metres per second on a climb, by the power balance solved from scratch."""
    v0 = flat_kph / 3.6
    drag = model.AIR_DENSITY * model.DRAG_AREA / 2
    flat_power = v0 * (mass * model.GRAVITY * model.ROLLING_RESISTANCE + drag * v0**2)
    power = max(flat_power, model.CLIMBING_POWER) + extra_power
    angle = math.atan(grade)
    force = mass * model.GRAVITY * (model.ROLLING_RESISTANCE * math.cos(angle) + math.sin(angle))
    speed = brentq(lambda v: v * (force + drag * v**2) - power, 1e-6, 100)
    return min(v0, speed)


def test_the_hill_climbs_as_the_raster_says(hill):
    edge = street(hill, True)
    climb = K * TOP
    assert hill.elevation.climb[edge] == pytest.approx(climb, rel=1e-9)
    assert hill.elevation.descent[edge] == pytest.approx(0, abs=1e-9)
    flat = street(hill, False)
    assert hill.elevation.climb[flat] == hill.elevation.descent[flat] == 0
    # Samples at most 10 m apart, and at the middle vertex.
    samples = hill.elevation.distance[hill.elevation.offsets[edge] : hill.elevation.offsets[edge + 1]]
    assert np.diff(samples).max() <= model.SAMPLE_SPACING
    assert any(math.isclose(s, hill.edges.length[edge] / 2, rel_tol=1e-9) for s in samples)


def test_walking_up_and_down_follows_tobler(hill):
    edge = street(hill, True)
    length, walk = hill.edges.length[edge], 4.2
    flat = length / (walk / 3.6)
    up = flat * math.exp(-3.5 * 0.05) / math.exp(-3.5 * abs(GRADE + 0.05))
    down = flat * math.exp(-3.5 * 0.05) / math.exp(-3.5 * abs(-GRADE + 0.05))
    assert hill.edge_seconds("walk", walk_speed=walk)[edge] == pytest.approx([up, down], rel=1e-9)


@pytest.mark.parametrize(("mode", "flat_kph", "mass", "motor"), [
    ("bike", 12.0, model.BIKE_MASS, 0.0),
    ("bike", 20.0, model.BIKE_MASS, 0.0),
    ("ebike", 18.0, model.EBIKE_MASS, model.MOTOR_POWER),
])  # fmt: skip
def test_riding_up_and_down_follows_the_power_balance(hill, mode, flat_kph, mass, motor):
    edge = street(hill, True)
    length = hill.edges.length[edge]
    up_speed = climbing_speed(GRADE, flat_kph, mass=mass, extra_power=motor)
    assert up_speed < flat_kph / 3.6  # the climb is too steep to hold the flat speed
    assert up_speed < model.ASSIST_LIMIT / 3.6  # so an e-bike's motor helps all the way
    # Horizontal metres: the speed along the slope counts for its horizontal part.
    up = length * math.sqrt(1 + GRADE**2) / up_speed
    # Pedalling on at the flat power downhill would pass the downhill limit.
    down = length * math.sqrt(1 + GRADE**2) / (model.DOWNHILL_LIMIT / 3.6)
    speeds = {"bike_speed": flat_kph} if mode == "bike" else {"ebike_speed": flat_kph}
    assert hill.edge_seconds(mode, **speeds)[edge] == pytest.approx([up, down], rel=1e-9)


def test_an_ebike_holds_its_speed_up_a_gentle_climb():
    grade, v0 = 0.03, 18.0
    needed = (v0 / 3.6) * (
        model.EBIKE_MASS * model.GRAVITY * (model.ROLLING_RESISTANCE + grade)
        + model.AIR_DENSITY * model.DRAG_AREA / 2 * (v0 / 3.6) ** 2
    )
    assert needed < model.CLIMBING_POWER + model.MOTOR_POWER
    assert model.riding_speed(grade, v0, mass=model.EBIKE_MASS, motor_power=model.MOTOR_POWER) == v0 / 3.6
    assert model.riding_speed(grade, 12.0, mass=model.BIKE_MASS) < 12.0 / 3.6


def test_flat_streets_cars_and_mopeds_keep_their_times(hill, hill_files):
    plain = rc.Network.build(hill_files[0], cache=False)
    flat = street(hill, False)
    for mode in ("walk", "bike", "ebike", "moped", "car"):
        assert hill.edge_seconds(mode)[flat] == pytest.approx(plain.edge_seconds(mode)[flat], rel=1e-12)
    for mode in ("moped", "car"):
        np.testing.assert_array_equal(hill.edge_seconds(mode), plain.edge_seconds(mode))


def test_travel_times_differ_up_and_down(hill):
    for mode in ("walk", "bike", "ebike"):
        times = rc.travel_time_matrix(hill, ENDS, mode=mode, max_time=10).set_index(["from_id", "to_id"])
        assert times.travel_time["bottom", "top"] > times.travel_time["top", "bottom"], mode
    car = rc.travel_time_matrix(hill, ENDS, mode="car", max_time=10).set_index(["from_id", "to_id"])
    assert car.travel_time["bottom", "top"] == car.travel_time["top", "bottom"]


def test_halfway_up_costs_half_the_climb(hill):
    """A point on the hill's edge takes its share of the edge's time in each direction."""
    edge = street(hill, True)
    up, down = hill.edge_seconds("walk")[edge]
    middle = pd.DataFrame({"id": ["middle"], "lon": [0.0], "lat": [TOP / 2]})
    frame = rc.travel_time_matrix(hill, ENDS.iloc[:1], middle, mode="walk", max_time=10)
    assert frame.travel_time.iloc[0] == pytest.approx(up / 2 / 60, abs=1 / 60)
    frame = rc.travel_time_matrix(hill, middle, ENDS.iloc[:1], mode="walk", max_time=10)
    assert frame.travel_time.iloc[0] == pytest.approx(down / 2 / 60, abs=1 / 60)


def test_networkx_arcs_carry_their_direction(hill):
    edge = street(hill, True)
    up, down = hill.edge_seconds("bike")[edge]
    G = hill.to_networkx("bike")
    length = hill.edges.length[edge]
    for _, _, data in G.edges(data=True):
        if data["osmid"] == 1:
            expected = down if data["reversed"] else up
            assert data["travel_time"] == pytest.approx(expected)
            assert data["speed_kph"] == pytest.approx(length / expected * 3.6)


def test_a_raster_in_another_crs_gives_the_same_hill(hill, hill_files, tmp_path):
    from pyproj import Transformer

    # The same plane in Web Mercator metres, 5 m pixels.
    to_lonlat = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    west, north, pixel = -120.0, 250.0, 5.0
    x = west + (np.arange(50) + 0.5) * pixel
    y = north - (np.arange(80) + 0.5) * pixel
    _, lat = to_lonlat.transform(*np.meshgrid(x, y))
    raster = write_raster(
        tmp_path / "mercator.tif", K * lat, crs="EPSG:3857", west=west, north=north, pixel=pixel
    )
    other = rc.Network.build(hill_files[0], elevation=raster, cache=False)
    edge = street(hill, True)
    assert other.elevation.climb[edge] == pytest.approx(hill.elevation.climb[edge], rel=1e-4)
    assert other.edge_seconds("bike")[edge] == pytest.approx(hill.edge_seconds("bike")[edge], rel=1e-4)


def test_save_and_load_keep_the_elevation(hill, tmp_path):
    path = hill.save(tmp_path / "hill.reachable")
    loaded = rc.Network.load(path)
    for name in ("offsets", "distance", "elevation"):
        np.testing.assert_array_equal(getattr(loaded.elevation, name), getattr(hill.elevation, name))
    for mode in ("walk", "bike", "ebike"):
        np.testing.assert_array_equal(loaded.edge_seconds(mode), hill.edge_seconds(mode))
    assert loaded.metadata["elevation"] == hill.metadata["elevation"]


def test_the_cache_tells_a_network_with_elevation_from_one_without(hill_files, tmp_path):
    osm, raster = hill_files
    plain = rc.Network.build(osm, cache_dir=tmp_path)
    assert plain.elevation is None
    sloped = rc.Network.build(osm, cache_dir=tmp_path, elevation=raster)
    assert sloped.elevation is not None
    assert len(list(tmp_path.glob("*.reachable"))) == 2
    again = rc.Network.build(osm, cache_dir=tmp_path, elevation=raster)
    np.testing.assert_array_equal(again.edge_seconds("walk"), sloped.edge_seconds("walk"))


# ---------------------------------------------------------------------------- bad rasters


def test_a_missing_raster_is_named(hill_files, tmp_path):
    with pytest.raises(rc.DataFileNotFoundError, match=r"elevation raster not found: .*nowhere\.tif"):
        rc.Network.build(hill_files[0], elevation=tmp_path / "nowhere.tif", cache=False)


def test_a_file_that_is_not_a_raster(hill_files, tmp_path):
    path = tmp_path / "notes.tif"
    path.write_text("id,lon,lat\n")
    with pytest.raises(rc.ElevationError, match=r"notes\.tif is not an elevation raster") as caught:
        rc.Network.build(hill_files[0], elevation=path, cache=False)
    assert isinstance(caught.value, ValueError)


def test_a_raster_without_crs(hill_files, tmp_path):
    path = write_raster(tmp_path / "nocrs.tif", plane(), crs=None)
    with pytest.raises(rc.ElevationError, match="no coordinate reference system"):
        rc.Network.build(hill_files[0], elevation=path, cache=False)


def test_a_raster_elsewhere(hill_files, tmp_path):
    path = write_raster(tmp_path / "elsewhere.tif", plane(), west=40.0, north=10.0)
    with pytest.raises(rc.ElevationError, match="does not overlap the streets"):
        rc.Network.build(hill_files[0], elevation=path, cache=False)


def ten_streets(folder):
    """Ten parallel footways up the hill, 0.0002 degree apart from lon 0 eastwards."""
    nodes, ways = [], []
    for i in range(10):
        south, north, lon = 2 * i + 1, 2 * i + 2, i * 0.0002
        nodes.append(
            f'<node id="{south}" lat="0.0" lon="{lon}"/><node id="{north}" lat="{TOP}" lon="{lon}"/>'
        )
        ways.append(
            f'<way id="{i + 1}"><nd ref="{south}"/><nd ref="{north}"/><tag k="highway" v="footway"/></way>'
        )
    osm = folder / "streets.osm"
    osm.write_text(f'<osm version="0.6">{"".join(nodes)}{"".join(ways)}</osm>')
    return osm


def holed(folder, streets):
    """The hill's raster with nodata in the pixel columns under the given streets."""
    values = plane(width=40)
    values[:, [10 + 2 * i for i in streets]] = -9999.0  # street i runs along column 10 + 2i's west side
    return write_raster(folder / "holes.tif", values)


def test_a_raster_of_nodata_over_most_streets(tmp_path):
    with pytest.raises(rc.ElevationError, match=r"no data .*along 6 of the 10 street edges"):
        rc.Network.build(
            ten_streets(tmp_path), elevation=holed(tmp_path, range(6)), cache=False, modes="walk"
        )
    values = np.full((HEIGHT, WIDTH), -9999.0)
    with pytest.raises(rc.ElevationError, match=r"no data .*under any street"):
        rc.Network.build(
            ten_streets(tmp_path),
            elevation=write_raster(tmp_path / "void.tif", values),
            cache=False,
            modes="walk",
        )


def test_nodata_on_a_few_edges_is_flat_with_a_warning(tmp_path):
    with pytest.warns(rc.ReachableWarning, match="along 1 of the 10 street edges .*taken as flat"):
        network = rc.Network.build(
            ten_streets(tmp_path), elevation=holed(tmp_path, [0]), cache=False, modes="walk"
        )
    missing = np.isnan(network.elevation.climb)
    assert missing.sum() == 1
    assert network.edges.node_lon[network.edges.u[missing]] == 0.0
    seconds = network.edge_seconds("walk")
    flat = network.edges.length / (rc.modes.DEFAULT_WALK_SPEED / 3.6)
    np.testing.assert_array_equal(seconds[missing], np.column_stack((flat, flat))[missing])
    assert (seconds[~missing, 0] > seconds[~missing, 1]).all()  # every street climbs from u to v


# ---------------------------------------------------------------------------- Porto Alegre


@pytest.fixture(scope="module")
def poa_hills(poa, tmp_path_factory):
    with warnings.catch_warnings():
        # The extract reaches a little beyond the raster.
        warnings.filterwarnings("ignore", "the elevation raster", rc.ReachableWarning)
        return rc.Network.build(poa.osm, elevation=poa.elevation, cache_dir=tmp_path_factory.mktemp("cache"))


def test_poa_raster_covers_nearly_every_street(poa, tmp_path):
    with pytest.warns(rc.ReachableWarning, match=r"street edges \(2\.\d%\): they are taken as flat"):
        rc.Network.build(poa.osm, elevation=poa.elevation, cache=False, modes="walk")


def test_poa_climbs_are_slower_than_descents(poa_hills):
    # The steepest two-way street that only climbs, at most 9 % anywhere (Tobler's walkers
    # slow down on steeper descents too).
    edge, run, rise = poa_hills.elevation.pieces()
    n_edges = poa_hills.edges.n_edges
    steepest = np.zeros(n_edges)
    np.maximum.at(steepest, edge, np.nan_to_num(np.abs(rise)) / np.maximum(run, 1e-9))
    graph = poa_hills.graph("bike")
    both = graph.edge[graph.edge_direction.all(axis=1)]
    climbs = both[(poa_hills.elevation.descent[both] == 0) & (steepest[both] < 0.09)]
    steep = climbs[np.argmax(poa_hills.elevation.climb[climbs] / poa_hills.edges.length[climbs])]
    assert poa_hills.elevation.climb[steep] / poa_hills.edges.length[steep] > 0.05
    length = poa_hills.edges.length[steep]
    flat = {mode: length / (kph / 3.6) for mode, kph in (("walk", 3.6), ("bike", 12), ("ebike", 18))}
    slowdown = {}
    for mode in ("walk", "bike", "ebike"):
        up, down = poa_hills.edge_seconds(mode)[steep]
        assert up > flat[mode] > down, mode
        slowdown[mode] = up / flat[mode]
    assert slowdown["ebike"] < slowdown["bike"]


def test_poa_bike_times_change_with_hills_and_car_times_do_not(poa_network, poa_hills, hexes):
    few = hexes.iloc[::60]
    for mode in ("walk", "bike", "car"):
        plain = rc.travel_time_matrix(poa_network, few, mode=mode, max_time=40)
        hills = rc.travel_time_matrix(poa_hills, few, mode=mode, max_time=40)
        if mode == "car":
            pd.testing.assert_frame_equal(plain, hills)
        else:
            merged = plain.merge(hills, on=["from_id", "to_id"])
            assert (merged.travel_time_x != merged.travel_time_y).mean() > 0.5


def test_without_a_raster_nothing_changes(poa_network, poa, hexes, tmp_path):
    """No raster: the times of flat ground; a flat raster: the very same matrices."""
    edges = poa_network.edges
    assert poa_network.elevation is None
    for mode, kph in (("walk", 3.6), ("bike", 12.0), ("ebike", 18.0)):
        seconds = poa_network.edge_seconds(mode)
        np.testing.assert_array_equal(seconds[:, 0], edges.length / (kph / 3.6))
        np.testing.assert_array_equal(seconds[:, 0], seconds[:, 1])
    with __import__("rasterio").open(poa.elevation) as source:
        bounds, shape = source.bounds, source.shape
    level = write_raster(
        tmp_path / "level.tif", np.full(shape, 12.0), west=bounds.left, north=bounds.top,
        pixel=(bounds.right - bounds.left) / shape[1],
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "the elevation raster", rc.ReachableWarning)
        level_network = rc.Network.build(poa.osm, elevation=level, cache=False, modes=["walk", "bike"])
    few = hexes.iloc[::40]
    for mode in ("walk", "bike", "ebike"):
        pd.testing.assert_frame_equal(
            rc.travel_time_matrix(level_network, few, mode=mode, max_time=30),
            rc.travel_time_matrix(poa_network, few, mode=mode, max_time=30),
        )


def test_an_ebike_at_bike_speed_is_a_bike(poa_network, hexes):
    few = hexes.iloc[::40]
    bike = rc.travel_time_matrix(poa_network, few, mode="bike", bike_speed=12, max_time=30)
    ebike = rc.travel_time_matrix(poa_network, few, mode="ebike", ebike_speed=12, max_time=30)
    pd.testing.assert_frame_equal(bike, ebike)
    faster = rc.travel_time_matrix(poa_network, few, mode="ebike", ebike_speed=18, max_time=30)
    merged = bike.merge(faster, on=["from_id", "to_id"])
    assert faster.travel_time.notna().sum() > bike.travel_time.notna().sum()
    assert not (merged.travel_time_x.notna() & merged.travel_time_y.isna()).any()
    both = merged.dropna()
    assert (both.travel_time_y <= both.travel_time_x).all()
    assert (both.travel_time_y < both.travel_time_x).mean() > 0.9


# ---------------------------------------------------------------------------- command line


def test_the_command_line_builds_with_elevation(hill_files, hill, tmp_path, capsys):
    osm, raster = hill_files
    places = tmp_path / "ends.csv"
    ENDS.to_csv(places, index=False)
    out = tmp_path / "ttm.csv"
    argv = ["matrix", "--osm", str(osm), "--elevation", str(raster), "--origins", str(places),
            "--mode", "walk", "--max-time", "10", "--out", str(out), "--no-cache"]  # fmt: skip
    assert main(argv) == 0
    expected = rc.travel_time_matrix(hill, ENDS, mode="walk", max_time=10)
    pd.testing.assert_frame_equal(pd.read_csv(out), expected)
    saved = hill.save(tmp_path / "hill.reachable")
    argv = [*argv[:1], "--network", str(saved), *argv[3:]]
    assert main(argv) == 2
    assert "not both" in capsys.readouterr().err
