"""rc.plot: accessibility and isochrone maps draw, are labelled with units, refuse bad selections."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import subprocess
import sys

import geopandas as gpd
import h3
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.collections import LineCollection
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

import reachable as rc
from reachable.errors import InvalidParameterError

from .test_tiny_town import NODES


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def fake_accessibility(percentiles=(50,)) -> gpd.GeoDataFrame:
    """A frame shaped like rc.accessibility's: a 4 x 3 grid of origins near Porto Alegre."""
    lon, lat = np.meshgrid(-51.2 + 0.004 * np.arange(4), -30.0 + 0.004 * np.arange(3))
    ids = [f"cell{k}" for k in range(lon.size)]
    frames = []
    for mode in ("walk", "car"):
        for cutoff in (30.0, 45.0):
            for p in percentiles:
                frame = pd.DataFrame({"id": ids, "mode": mode, "cutoff": cutoff})
                if len(percentiles) > 1:
                    frame["percentile"] = float(p)
                frame["jobs"] = np.arange(lon.size) * cutoff * (10 if mode == "car" else 1) + p
                frame["schools"] = frame["jobs"] / 100
                frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    points = gpd.points_from_xy(lon.ravel(), lat.ravel())
    repeats = len(table) // lon.size
    return gpd.GeoDataFrame(table, geometry=np.tile(np.asarray(points, dtype=object), repeats), crs=4326)


def colorbar_label(ax) -> str:
    others = [a for a in ax.figure.axes if a is not ax]
    assert len(others) == 1
    return others[0].get_ylabel()


def scale_bars(ax) -> list[AnchoredSizeBar]:
    return [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]


def scale_bar_metres(ax) -> tuple[float, str]:
    """The length the scale bar stands for (data units, metres) and its label."""
    (bar,) = scale_bars(ax)
    (rectangle,) = bar.size_bar.get_children()
    return rectangle.get_width(), bar.txt_label.get_children()[0].get_text()


def street_layers(ax) -> list[LineCollection]:
    return [c for c in ax.collections if isinstance(c, LineCollection)]


def test_accessibility_map_draws_with_units(tmp_path):
    acc = fake_accessibility()
    ax = rc.plot.accessibility_map(acc, "jobs", "car", 45)
    assert colorbar_label(ax) == "jobs reachable within 45 min by car"
    assert ax.get_title() == "Jobs reachable by car within 45 min"
    assert ax.get_aspect() == 1.0
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert ax.get_xlabel() == "" and ax.get_ylabel() == ""
    # One filled shape per origin, coloured by the value.
    (discs,) = ax.collections
    assert len(discs.get_paths()) == 12
    assert len({tuple(c) for c in discs.get_facecolors()}) == 12
    path = tmp_path / "map.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 1000


def test_accessibility_map_on_a_given_axes_with_options():
    acc = fake_accessibility()
    fig, (_, right) = plt.subplots(1, 2)
    ax = rc.plot.accessibility_map(
        acc, "schools", "walk", 30, ax=right, title="mine", cmap="magma", vmin=0, vmax=50
    )
    assert ax is right
    assert ax.get_title() == "mine"
    assert "schools reachable within 30 min on foot" in [a.get_ylabel() for a in fig.axes]
    assert ax.collections[0].get_clim() == (0.0, 50.0)


def test_polygons_and_missing_values_are_drawn():
    acc = fake_accessibility()
    metric = acc.to_crs(acc.estimate_utm_crs())
    metric["geometry"] = metric.buffer(150, quad_segs=2)
    metric.loc[0, "jobs"] = np.nan
    ax = rc.plot.accessibility_map(metric, "jobs", "walk", 30)
    grey, coloured = ax.collections
    assert len(grey.get_paths()) == 1
    assert len(coloured.get_paths()) == 11


def test_percentiles_are_chosen_and_labelled():
    acc = fake_accessibility(percentiles=(25, 50, 75))
    ax = rc.plot.accessibility_map(acc, "jobs", "car", 30, percentile=75)
    assert colorbar_label(ax) == "jobs reachable within 30 min by car, 75th percentile travel time"
    with pytest.raises(InvalidParameterError, match=r"several values of percentile \(25.0, 50.0, 75.0\)"):
        rc.plot.accessibility_map(acc, "jobs", "car", 30)


def test_gravity_frames_have_no_cutoff():
    acc = fake_accessibility()
    gravity = acc[acc["cutoff"] == 30].drop(columns="cutoff")
    ax = rc.plot.accessibility_map(gravity, "jobs", "walk")
    assert colorbar_label(ax) == "jobs reachable on foot (weighted by travel time)"
    assert ax.get_title() == "Jobs reachable on foot, weighted by travel time"


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ({"column": "people", "mode": "car", "cutoff": 30}, r"column 'people' is not in .*'jobs', 'schools'"),
        ({"column": "mode", "mode": "car", "cutoff": 30}, r"column 'mode' is not in"),
        ({"column": "jobs", "mode": "bus", "cutoff": 30}, r"mode 'bus' is not in .*available: 'car', 'walk'"),
        ({"column": "jobs", "mode": "car", "cutoff": 20}, r"cutoff 20 is not in .*available: 30.0, 45.0"),
        ({"column": "jobs", "mode": "car"}, r"several values of cutoff \(30.0, 45.0\); choose one"),
        ({"column": "jobs", "mode": "car", "cutoff": 30, "percentile": 50}, r"no percentile column"),
    ],
)
def test_bad_selection_names_what_is_available(selection, message):
    with pytest.raises(InvalidParameterError, match=message):
        rc.plot.accessibility_map(fake_accessibility(), **selection)


def test_not_an_accessibility_frame():
    with pytest.raises(InvalidParameterError, match="GeoDataFrame"):
        rc.plot.accessibility_map(pd.DataFrame({"mode": ["car"], "jobs": [1]}), "jobs", "car")
    with pytest.raises(InvalidParameterError, match="empty"):
        rc.plot.accessibility_map(fake_accessibility().iloc[:0], "jobs", "car", 30)


def test_the_scale_bar_is_a_round_length_about_a_fifth_of_the_map():
    ax = rc.plot.accessibility_map(fake_accessibility(), "jobs", "car", 45)
    length, label = scale_bar_metres(ax)
    width = abs(np.subtract(*ax.get_xlim()))  # metres: the map is in UTM
    assert width / 10 < length <= width / 5
    mantissa = length / 10 ** np.floor(np.log10(length))
    assert mantissa in (1, 2, 5)
    assert label == (f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m")
    # A city-wide map gets a bar in kilometres.
    wide = fake_accessibility().to_crs(32722)
    wide["geometry"] = wide.geometry.scale(20, 20, origin=wide.union_all().centroid)
    assert scale_bar_metres(rc.plot.accessibility_map(wide, "jobs", "car", 45))[1] == "5 km"


def transit_accessibility(percentiles=(50,)) -> gpd.GeoDataFrame:
    acc = fake_accessibility(percentiles).replace({"mode": {"car": "transit"}})
    acc.attrs.update(departure="2019-05-13 14:00", time_window=60)
    return acc


def test_transit_titles_say_the_departure_window_and_percentile():
    ax = rc.plot.accessibility_map(transit_accessibility(), "jobs", "transit", 45)
    assert ax.get_title() == (
        "Jobs reachable by transit within 45 min\ndeparting 2019-05-13 14:00-15:00, median travel time"
    )
    ax = rc.plot.accessibility_map(transit_accessibility((50, 75)), "jobs", "transit", 45, percentile=75)
    assert ax.get_title().endswith("departing 2019-05-13 14:00-15:00, 75th percentile travel time")
    # Street modes do not depend on the departure; a title given is kept as it is.
    ax = rc.plot.accessibility_map(transit_accessibility(), "jobs", "walk", 45)
    assert ax.get_title() == "Jobs reachable on foot within 45 min"
    ax = rc.plot.accessibility_map(transit_accessibility(), "jobs", "transit", 45, title="mine")
    assert ax.get_title() == "mine"


def test_a_single_departure_has_no_window_nor_percentile():
    acc = transit_accessibility()
    acc.attrs.update(time_window=1)
    ax = rc.plot.accessibility_map(acc, "jobs", "transit", 30)
    assert ax.get_title().splitlines()[1] == "departing 2019-05-13 14:00"
    acc.attrs.clear()
    ax = rc.plot.accessibility_map(acc, "jobs", "transit", 30)
    assert ax.get_title() == "Jobs reachable by transit within 30 min"


def h3_accessibility(ids=None) -> gpd.GeoDataFrame:
    """Two rings of H3 cells (resolution 9) around a cell of Porto Alegre, at their centres."""
    cells = ids if ids is not None else sorted(h3.grid_disk(h3.latlng_to_cell(-30.03, -51.2, 9), 2))
    lat, lng = np.array([h3.cell_to_latlng(c) for c in cells]).T
    return gpd.GeoDataFrame(
        {"id": cells, "mode": "walk", "cutoff": 30.0, "jobs": np.arange(len(cells), dtype=float)},
        geometry=gpd.points_from_xy(lng, lat),
        crs=4326,
    )


def drawn_polygons(collection) -> list[shapely.Polygon]:
    return [shapely.Polygon(path.vertices) for path in collection.get_paths()]


def test_h3_cells_are_drawn_as_hexagons_tiling_without_gaps():
    acc = h3_accessibility()
    ax = rc.plot.accessibility_map(acc, "jobs", "walk", 30)
    (cells,) = ax.collections
    hexagons = drawn_polygons(cells)
    assert len(hexagons) == 19
    assert all(len(shapely.get_coordinates(h.exterior)) == 7 for h in hexagons)  # 6 corners, closed
    # Each hexagon is centred on its cell (lat/lng not swapped), in metres.
    centres = acc.to_crs(acc.estimate_utm_crs()).geometry
    assert max(h.centroid.distance(c) for h, c in zip(hexagons, centres, strict=True)) < 1
    # Neighbours share their edges: the two rings make one polygon, no hole, no overlap.
    union = shapely.union_all(hexagons)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    assert union.area == pytest.approx(sum(h.area for h in hexagons), rel=1e-6)
    # Each cell is outlined in its own colour, so no background shows through the seams.
    np.testing.assert_allclose(cells.get_edgecolor(), cells.get_facecolor())
    assert cells.get_linewidth()[0] > 0
    # A resolution 9 cell is about 0.1 km2.
    assert 0.08e6 < np.median([h.area for h in hexagons]) < 0.13e6


def test_ids_that_are_not_all_h3_cells_fall_back_to_discs():
    acc = h3_accessibility()
    acc.loc[0, "id"] = "not a cell"
    ax = rc.plot.accessibility_map(acc, "jobs", "walk", 30)
    assert all(len(p.vertices) > 7 for p in ax.collections[0].get_paths())


def test_the_network_streets_are_drawn_under_and_over_the_cells_in_its_crs(tiny_town):
    acc = fake_accessibility()
    # Move the grid onto tiny town (near 0 N, 3 E), so the streets are in the map.
    acc["geometry"] = acc.geometry.translate(51.2 + 3.0, 30.0)
    ax = rc.plot.accessibility_map(acc, "jobs", "car", 45, network=tiny_town)
    under, over = street_layers(ax)
    (cells,) = [c for c in ax.collections if c not in (under, over)]
    assert under.get_zorder() < cells.get_zorder() < over.get_zorder()
    lines = tiny_town.edge_index("car").lines
    assert len(under.get_segments()) == len(over.get_segments()) == len(lines)
    # Thin, light, and drawn in the network's CRS, like the cells.
    assert max(under.get_linewidths()) < 1 and min(under.get_edgecolor()[0][:3]) > 0.7
    assert over.get_alpha() < 0.5
    centres = acc.to_crs(tiny_town.crs).geometry
    assert shapely.contains_xy(
        shapely.box(*shapely.total_bounds(drawn_polygons(cells))), centres.x, centres.y
    ).all()
    np.testing.assert_allclose(under.get_segments()[0], shapely.get_coordinates(lines[0]))
    assert len(scale_bars(ax)) == 1


def test_a_network_must_be_a_network():
    with pytest.raises(InvalidParameterError, match=r"network must be a reachable\.Network.*got str"):
        rc.plot.accessibility_map(fake_accessibility(), "jobs", "car", 45, network="poa.pbf")
    with pytest.raises(InvalidParameterError, match=r"network must be a reachable\.Network"):
        rc.plot.accessibility_panels(fake_accessibility(), "jobs", 45, network=42)
    with pytest.raises(InvalidParameterError, match=r"network must be a reachable\.Network"):
        rc.plot.isochrone_map(fake_isochrones(), network=object())


def test_panels_share_one_colour_scale_and_one_colorbar(tmp_path):
    acc = transit_accessibility()
    fig = rc.plot.accessibility_panels(acc, "jobs", 45)
    maps = [ax for ax in fig.axes if ax.get_title()]
    (bar,) = [ax for ax in fig.axes if not ax.get_title()]
    assert [ax.get_title() for ax in maps] == ["On foot", "By transit"]
    assert bar.get_xlabel() == "jobs reachable within 45 min"
    shown = acc[acc["cutoff"] == 45]
    low, high = shown["jobs"].min(), shown["jobs"].max()
    assert {ax.collections[0].get_clim() for ax in maps} == {(low, high)}
    # The same value has the same colour in both panels: one scale over both modes.
    for ax, mode in zip(maps, ("walk", "transit"), strict=True):
        values = shown.loc[shown["mode"] == mode, "jobs"].to_numpy()
        expected = plt.get_cmap("viridis")((values - low) / (high - low))
        np.testing.assert_allclose(ax.collections[0].get_facecolors(), expected)
    assert {ax.get_xlim() for ax in maps} == {maps[0].get_xlim()}
    assert [len(scale_bars(ax)) for ax in maps] == [1, 0]
    assert fig._suptitle.get_text() == (
        "Jobs reachable within 45 min\ntransit departing 2019-05-13 14:00-15:00, median travel time"
    )
    path = tmp_path / "panels.png"
    fig.savefig(path)
    assert path.stat().st_size > 1000


def test_panels_follow_the_modes_asked_in_a_grid():
    acc = transit_accessibility((25, 50))
    fig = rc.plot.accessibility_panels(
        acc, "schools", 30, modes=["transit", "walk", "transit"], percentile=25, ncols=2, vmin=0, vmax=10
    )
    maps = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in maps] == ["By transit", "On foot", "By transit"]
    assert len([ax for ax in fig.axes if not ax.get_visible()]) == 1  # the fourth cell of the grid
    (first, second, third) = (ax.get_position() for ax in maps)
    assert first.y0 == second.y0 > third.y0
    assert all(ax.collections[0].get_clim() == (0, 10) for ax in maps)
    assert "25th percentile travel time" in fig._suptitle.get_text()
    fig = rc.plot.accessibility_panels(acc[acc["mode"] == "walk"], "jobs", 30, percentile=50)
    assert fig._suptitle.get_text() == "Jobs reachable within 30 min"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"modes": []}, "modes is empty"),
        ({"modes": ["walk", "bus"]}, r"mode 'bus' is not in .*available: 'transit', 'walk'"),
        ({"cutoff": 20}, r"cutoff 20 is not in"),
        ({"ncols": 0}, "ncols must be a positive whole number"),
        ({"panel_size": -1}, "panel_size must be a positive number of inches"),
    ],
)
def test_panels_refuse_bad_options(options, message):
    with pytest.raises(InvalidParameterError, match=message):
        rc.plot.accessibility_panels(transit_accessibility(), "jobs", **{"cutoff": 45, **options})


def test_panels_of_a_real_network(tiny_town):
    places = NODES.assign(jobs=np.arange(1.0, 9.0))
    acc = rc.accessibility(tiny_town, places, places, columns="jobs", mode=["walk", "car"], cutoffs=[5])
    fig = rc.plot.accessibility_panels(acc, "jobs", network=tiny_town)
    maps = [ax for ax in fig.axes if ax.get_title()]
    assert [len(street_layers(ax)) for ax in maps] == [2, 2]


def test_accessibility_map_of_a_real_result(tiny_town):
    places = NODES.assign(jobs=np.arange(1.0, 9.0))
    acc = rc.accessibility(tiny_town, places, places, columns="jobs", mode="walk", cutoffs=[2, 5])
    ax = rc.plot.accessibility_map(acc, "jobs", "walk", 5)
    assert colorbar_label(ax) == "jobs reachable within 5 min on foot"
    assert len(ax.collections[0].get_paths()) == len(NODES)


def fake_isochrones() -> gpd.GeoDataFrame:
    centre = shapely.Point(500_000, 6_680_000)
    rows = [
        {"id": "here", "mode": "bike", "cutoff": c, "geometry": centre.buffer(40 * c)}
        for c in (15.0, 30.0, 45.0)
    ]
    return gpd.GeoDataFrame(rows, crs=32722).to_crs(4326)


def test_isochrone_map_draws_the_largest_first_with_a_legend(tmp_path):
    ax = rc.plot.isochrone_map(fake_isochrones())
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "minutes"
    assert [t.get_text() for t in legend.get_texts()] == ["15", "30", "45"]
    areas = [abs(np.ptp(c.get_paths()[0].vertices[:, 0])) for c in ax.collections]
    assert areas == sorted(areas, reverse=True)
    assert len({tuple(c.get_facecolor()[0]) for c in ax.collections}) == 3
    assert ax.get_title() == "Reached by bike from here"
    assert ax.get_aspect() == 1.0
    path = tmp_path / "iso.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 1000


def test_isochrone_map_of_a_real_result(tiny_town):
    iso = rc.isochrones(tiny_town, NODES.iloc[:1], mode="walk", cutoffs=[1, 3])
    ax = rc.plot.isochrone_map(iso, title="from A")
    assert ax.get_title() == "from A"
    assert len(ax.collections) == 2


def test_isochrone_map_with_the_network_streets(tiny_town):
    iso = rc.isochrones(tiny_town, NODES.iloc[:1], mode="walk", cutoffs=[1, 3])
    ax = rc.plot.isochrone_map(iso, network=tiny_town)
    assert len(street_layers(ax)) == 2
    assert len(scale_bars(ax)) == 1
    bands = [c for c in ax.collections if c not in street_layers(ax)]
    assert len(bands) == 2
    # In the network's CRS, with a margin around the largest band.
    minx, miny, maxx, maxy = iso.to_crs(tiny_town.crs).total_bounds
    (left, right), (bottom, top) = ax.get_xlim(), ax.get_ylim()
    assert left < minx < maxx < right and bottom < miny < maxy < top


def test_isochrone_map_refuses_empty_or_bad_input():
    iso = fake_isochrones()
    with pytest.raises(InvalidParameterError, match="every isochrone is empty"):
        rc.plot.isochrone_map(iso.assign(geometry=shapely.Polygon()))
    with pytest.raises(InvalidParameterError, match="no 'cutoff' column"):
        rc.plot.isochrone_map(iso.drop(columns="cutoff"))


def test_importing_reachable_neither_imports_pyplot_nor_sets_a_backend():
    code = "import sys, reachable; assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
