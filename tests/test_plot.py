"""rc.plot: accessibility and isochrone maps draw, are labelled with units, refuse bad selections."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import subprocess
import sys

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shapely

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


def test_accessibility_map_draws_with_units(tmp_path):
    acc = fake_accessibility()
    ax = rc.plot.accessibility_map(acc, "jobs", "car", 45)
    assert colorbar_label(ax) == "jobs reachable within 45 min by car"
    assert "jobs" in ax.get_title() and "car" in ax.get_title()
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


def test_isochrone_map_refuses_empty_or_bad_input():
    iso = fake_isochrones()
    with pytest.raises(InvalidParameterError, match="every isochrone is empty"):
        rc.plot.isochrone_map(iso.assign(geometry=shapely.Polygon()))
    with pytest.raises(InvalidParameterError, match="no 'cutoff' column"):
        rc.plot.isochrone_map(iso.drop(columns="cutoff"))


def test_importing_reachable_neither_imports_pyplot_nor_sets_a_backend():
    code = "import sys, reachable; assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
