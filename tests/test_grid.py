"""rc.grid: H3 cells over an area or around points, and counts moved into cells."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

import reachable as rc

UTM = "EPSG:32722"  # UTM zone 22S, Porto Alegre
CENTRE = (-51.22, -30.03)


@pytest.fixture(scope="module")
def area():
    """A 1 km disc around central Porto Alegre, drawn in metres."""
    return gpd.GeoSeries([shapely.Point(CENTRE)], crs=4326).to_crs(UTM).buffer(1000)


@pytest.fixture(scope="module")
def cells(area):
    return rc.grid.h3(area, resolution=9)


def squares(x0: float, y0: float, boxes, **columns) -> gpd.GeoDataFrame:
    """Boxes given in metres from (x0, y0), in UTM."""
    geometry = [shapely.box(x0 + a, y0 + b, x0 + c, y0 + d) for a, b, c, d in boxes]
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=UTM)


# Three 100 m square cells side by side, a few km from the centre, in UTM metres.
X0, Y0 = 480_000.0, 6_677_000.0
SQUARE_CELLS = squares(X0, Y0, [(0, 0, 100, 100), (100, 0, 200, 100), (200, 0, 300, 100)], id=["a", "b", "c"])


# h3 over an area


def test_h3_area_cells_are_those_centred_inside(area, cells):
    disc = area.to_crs(4326).iloc[0]
    assert list(cells.columns) == ["id", "lon", "lat", "geometry"]
    assert cells.crs == "EPSG:4326"
    assert cells["id"].is_unique
    assert all(h3.is_valid_cell(cell) and h3.get_resolution(cell) == 9 for cell in cells["id"])
    # Every centre is inside the disc ...
    assert shapely.contains_xy(disc, cells["lon"], cells["lat"]).all()
    # ... and no cell centred inside is missing: all cells of a wide ring around the centre,
    # kept when their centre is inside, and h3's own polygon fill, give the same set.
    ring = h3.grid_disk(h3.latlng_to_cell(CENTRE[1], CENTRE[0], 9), 8)
    inside = {cell for cell in ring if shapely.contains_xy(disc, *h3.cell_to_latlng(cell)[::-1])}
    assert set(cells["id"]) == inside == set(h3.geo_to_cells(disc, 9))
    # A 1 km disc holds about pi km² / 0.105 km² cells.
    assert 25 <= len(cells) <= 35


def test_h3_cell_centres_and_polygons(cells):
    for cell, lon, lat in zip(cells["id"], cells["lon"], cells["lat"], strict=True):
        assert (lat, lon) == pytest.approx(h3.cell_to_latlng(cell), abs=1e-12)
    assert shapely.contains_xy(cells.geometry.to_numpy(), cells["lon"], cells["lat"]).all()
    # UTM shrinks surfaces by ~0.1% here and h3 measures on a sphere: close, not equal.
    surface = cells.to_crs(UTM).area.to_numpy()
    expected = [h3.cell_area(cell, unit="m^2") for cell in cells["id"]]
    np.testing.assert_allclose(surface, expected, rtol=5e-3)


def test_h3_area_as_shapely_or_frame_of_parts(area, cells):
    disc = area.to_crs(4326).iloc[0]
    assert rc.grid.h3(disc)["id"].tolist() == cells["id"].tolist()
    # Two halves in a GeoDataFrame are merged into the disc.
    x, y = area.iloc[0].centroid.coords[0]
    halves = [area.iloc[0].intersection(shapely.box(x - 2000, y - 2000, x, y + 2000))]
    halves.append(area.iloc[0].difference(halves[0]))
    frame = gpd.GeoDataFrame({"name": ["west", "east"]}, geometry=halves, crs=UTM)
    assert rc.grid.h3(frame)["id"].tolist() == cells["id"].tolist()


def test_h3_resolution_changes_cell_size(area, cells):
    coarse = rc.grid.h3(area, resolution=8)
    assert {h3.get_resolution(cell) for cell in coarse["id"]} == {8}
    assert len(coarse) < len(cells)


# h3 from points


def test_h3_points_unique_in_first_seen_order(cells):
    picked = cells.iloc[[3, 0, 3, 7, 0]]
    points = pd.DataFrame({"lon": picked["lon"], "lat": picked["lat"]})
    result = rc.grid.h3(points=points)
    assert result["id"].tolist() == cells["id"].iloc[[3, 0, 7]].tolist()
    assert result.index.tolist() == [0, 1, 2]


def test_h3_points_in_any_crs(cells):
    in_utm = gpd.GeoSeries(gpd.points_from_xy(cells["lon"], cells["lat"]), crs=4326).to_crs(UTM)
    assert rc.grid.h3(points=in_utm)["id"].tolist() == cells["id"].tolist()


def test_h3_points_reproduce_the_poa_hexgrid(hexes):
    result = rc.grid.h3(points=hexes, resolution=9)
    assert result["id"].tolist() == hexes["id"].tolist()
    np.testing.assert_allclose(result["lon"], hexes.geometry.x, atol=1e-5)
    np.testing.assert_allclose(result["lat"], hexes.geometry.y, atol=1e-5)


# h3 errors


@pytest.mark.parametrize("resolution", [-1, 16, 9.0, True, "9"])
def test_h3_bad_resolution(area, resolution):
    with pytest.raises(rc.InvalidParameterError, match="resolution"):
        rc.grid.h3(area, resolution=resolution)


def test_h3_needs_area_or_points_not_both(area, cells):
    with pytest.raises(rc.InvalidParameterError, match="got neither"):
        rc.grid.h3()
    with pytest.raises(rc.InvalidParameterError, match="not both"):
        rc.grid.h3(area, points=cells)


def test_h3_area_without_crs(area):
    with pytest.raises(rc.CRSError, match="no CRS"):
        rc.grid.h3(gpd.GeoSeries(area.to_numpy()))
    # A shapely geometry is read as lon/lat: one in metres is refused, not silently empty.
    with pytest.raises(rc.CRSError, match="WGS84"):
        rc.grid.h3(area.iloc[0])


def test_h3_area_smaller_than_a_cell():
    tiny = gpd.GeoSeries([shapely.Point(CENTRE)], crs=4326).to_crs(UTM).buffer(20)
    with pytest.raises(rc.InvalidParameterError, match=r"smaller than one cell.*resolution=10"):
        rc.grid.h3(tiny, resolution=9)
    assert len(rc.grid.h3(tiny, resolution=13)) > 0


def test_h3_area_not_polygons():
    with pytest.raises(rc.InvalidParameterError, match="polygon"):
        rc.grid.h3(shapely.LineString([(-51.2, -30.0), (-51.1, -30.1)]))
    points = gpd.GeoSeries([shapely.Point(CENTRE)], crs=4326)
    with pytest.raises(rc.InvalidParameterError, match="not polygons at rows 0"):
        rc.grid.h3(points)


def test_h3_bad_points():
    with pytest.raises(rc.CRSError, match="no CRS"):
        rc.grid.h3(points=gpd.GeoSeries([shapely.Point(CENTRE)]))
    with pytest.raises(rc.InvalidPointsError, match="rows 1"):
        rc.grid.h3(points=pd.DataFrame({"lon": [-51.2, 200.0], "lat": [-30.0, -30.0]}))
    with pytest.raises(rc.InvalidPointsError, match="Point geometries; rows 0"):
        rc.grid.h3(points=SQUARE_CELLS)
    with pytest.raises(rc.InvalidPointsError, match="empty"):
        rc.grid.h3(points=pd.DataFrame({"lon": [], "lat": []}))


# aggregate from points


def test_aggregate_points_hand_count(cells):
    a, b = cells.iloc[0], cells.iloc[5]
    points = pd.DataFrame(
        {
            "lon": [a.lon, a.lon + 1e-4, b.lon, a.lon, -51.0],  # the last one far outside
            "lat": [a.lat, a.lat, b.lat, a.lat - 1e-4, -30.0],
            "people": [1, 2, 4, 8, 16],
            "jobs": [0.5, 0.0, 1.0, 0.0, 3.0],
        }
    )
    result = rc.grid.aggregate(cells, points=points, columns=["people", "jobs"])
    assert result["id"].tolist() == cells["id"].tolist()
    expected = np.zeros(len(cells))
    expected[[0, 5]] = [1 + 2 + 8, 4]
    np.testing.assert_array_equal(result["people"], expected)
    assert result["jobs"].sum() == 1.5
    assert result.attrs["points_lost"] == {"people": 16.0, "jobs": 3.0}
    assert "people" not in cells.columns  # the input is left alone


def test_aggregate_point_on_a_shared_edge_counts_once():
    points = gpd.GeoDataFrame(
        {"people": [10.0, 1.0]},
        geometry=[shapely.Point(X0 + 100, Y0 + 50), shapely.Point(X0 + 250, Y0)],
        crs=UTM,
    )
    result = rc.grid.aggregate(SQUARE_CELLS, points=points, columns="people")
    assert result["people"].sum() == 11
    assert result.attrs["points_lost"] == {"people": 0.0}


def test_aggregate_the_poa_sample_into_its_own_cells(hexes):
    cells = rc.grid.h3(points=hexes)
    result = rc.grid.aggregate(cells, points=hexes, columns=["population", "schools"])
    np.testing.assert_array_equal(result["population"], hexes["population"])
    np.testing.assert_array_equal(result["schools"], hexes["schools"])
    assert result.attrs["points_lost"] == {"population": 0.0, "schools": 0.0}


# aggregate from areas


# Surfaces are measured in an equal-area projection, where UTM squares are not exactly
# squares and edges shared in UTM part by slivers: shares and totals are off by about 1e-8.
SHARE_RTOL = 1e-6


def test_aggregate_areas_spread_by_area_share():
    # Block 0 covers cell a and half of cell b: 2/3 and 1/3 of it. Block 1, 150 m x 50 m,
    # lies a third in cell b and two thirds in cell c.
    blocks = squares(X0, Y0, [(0, 0, 150, 100), (150, 0, 300, 50)], people=[100, 100])
    result = rc.grid.aggregate(SQUARE_CELLS, areas=blocks, columns=["people"])
    np.testing.assert_allclose(result["people"], [200 / 3, 100 / 3 + 100 / 3, 200 / 3], rtol=SHARE_RTOL)
    assert result["people"].sum() == pytest.approx(200, rel=SHARE_RTOL)
    assert result.attrs["areas_lost"]["people"] == pytest.approx(0, abs=200 * SHARE_RTOL)
    # The same cells in lon/lat give the same shares.
    again = rc.grid.aggregate(SQUARE_CELLS.to_crs(4326), areas=blocks, columns=["people"])
    np.testing.assert_allclose(again["people"], result["people"], rtol=SHARE_RTOL)


def test_aggregate_areas_partly_outside_report_the_loss():
    # Block 1 sticks out of the cells by half its surface: 50 people are lost, not given to
    # cell c (tobler's default would give it all 100).
    blocks = squares(X0, Y0, [(0, 0, 150, 100), (250, 0, 350, 100)], people=[100, 100])
    result = rc.grid.aggregate(SQUARE_CELLS, areas=blocks, columns="people")
    np.testing.assert_allclose(result["people"], [200 / 3, 100 / 3, 50], rtol=SHARE_RTOL)
    assert result.attrs["areas_lost"]["people"] == pytest.approx(50, rel=SHARE_RTOL)
    # What is not in the cells is in the report.
    assert result["people"].sum() + result.attrs["areas_lost"]["people"] == pytest.approx(200, rel=1e-12)


def test_aggregate_areas_into_h3_cells(cells):
    # Around the cell nearest the disc's centre, so that the large block lies within the cells.
    hexagons = cells.to_crs(UTM).geometry
    middle = int(hexagons.centroid.distance(hexagons.union_all().centroid).argmin())
    x, y = hexagons.iloc[middle].centroid.coords[0]
    blocks = squares(
        x, y, [(-20, -20, 20, 20), (-250, -250, 250, 250), (2000, 0, 2100, 100)], people=[100, 100, 100]
    )
    result = rc.grid.aggregate(cells, areas=blocks, columns="people")
    # The small block lies inside one hexagon, the large one across several, the last outside.
    assert result["people"].sum() == pytest.approx(200, rel=1e-9)
    assert result.attrs["areas_lost"]["people"] == pytest.approx(100, rel=1e-9)
    assert (result["people"] > 0).sum() > 5
    alone = rc.grid.aggregate(cells, areas=blocks.iloc[[0]], columns="people")
    assert alone["people"].iloc[middle] == pytest.approx(100, rel=1e-9)


def test_aggregate_points_and_areas_add_up():
    blocks = squares(X0, Y0, [(0, 0, 100, 100)], people=[30.0])
    points = gpd.GeoDataFrame({"people": [5.0]}, geometry=[shapely.Point(X0 + 50, Y0 + 50)], crs=UTM)
    result = rc.grid.aggregate(SQUARE_CELLS, points=points, areas=blocks, columns=["people"])
    np.testing.assert_allclose(result["people"], [35, 0, 0], atol=1e-9)
    assert set(result.attrs) == {"points_lost", "areas_lost"}


# aggregate errors


@pytest.mark.parametrize(("value", "problem"), [(np.nan, "NaN"), (-1.0, "negative")])
def test_aggregate_bad_counts_name_the_rows(value, problem):
    blocks = squares(X0, Y0, [(0, 0, 100, 100)] * 3, id=["b1", "b2", "b3"], people=[1.0, value, 2.0])
    with pytest.raises(rc.InvalidPointsError, match=f"'people' has 1 {problem} counts, at ids 'b2'"):
        rc.grid.aggregate(SQUARE_CELLS, areas=blocks, columns=["people"])


def test_aggregate_nan_counts_in_the_poa_sample(hexes):
    cells = rc.grid.h3(points=hexes)
    with pytest.raises(rc.InvalidPointsError, match="'jobs' has 5 NaN counts"):
        rc.grid.aggregate(cells, points=hexes, columns=["jobs"])


def test_aggregate_missing_crs():
    blocks = squares(X0, Y0, [(0, 0, 100, 100)], people=[1.0])
    with pytest.raises(rc.CRSError, match="cells has no CRS"):
        rc.grid.aggregate(SQUARE_CELLS.set_crs(None, allow_override=True), areas=blocks, columns="people")
    with pytest.raises(rc.CRSError, match="areas has no CRS"):
        rc.grid.aggregate(SQUARE_CELLS, areas=blocks.set_crs(None, allow_override=True), columns="people")
    points = gpd.GeoDataFrame({"people": [1.0]}, geometry=[shapely.Point(X0, Y0)])
    with pytest.raises(rc.CRSError, match="points has no CRS"):
        rc.grid.aggregate(SQUARE_CELLS, points=points, columns="people")


def test_aggregate_bad_parameters(hexes):
    blocks = squares(X0, Y0, [(0, 0, 100, 100)], people=[1.0])
    with pytest.raises(rc.InvalidParameterError, match="points= and/or areas="):
        rc.grid.aggregate(SQUARE_CELLS, columns="people")
    with pytest.raises(rc.InvalidParameterError, match="how must be 'sum'"):
        rc.grid.aggregate(SQUARE_CELLS, areas=blocks, columns="people", how="mean")
    with pytest.raises(rc.InvalidParameterError, match="taken by the output"):
        rc.grid.aggregate(SQUARE_CELLS, areas=blocks.assign(id=["x"]), columns="id")
    with pytest.raises(rc.InvalidPointsError, match="no column 'jobs'"):
        rc.grid.aggregate(SQUARE_CELLS, areas=blocks, columns="jobs")
    # Cells must be polygons: the sample's centroids are not, and the message says how to get cells.
    with pytest.raises(rc.InvalidPointsError, match=r"not polygons.*grid.h3\(points="):
        rc.grid.aggregate(hexes, areas=blocks, columns="people")


def test_aggregate_invalid_areas():
    flat = squares(X0, Y0, [(0, 0, 100, 100), (0, 0, 100, 0)], people=[1.0, 1.0])
    with pytest.raises(rc.InvalidPointsError, match="areas has invalid polygons at rows 1"):
        rc.grid.aggregate(SQUARE_CELLS, areas=flat, columns="people")
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    invalid = gpd.GeoDataFrame({"people": [1.0]}, geometry=[bowtie], crs=UTM)
    with pytest.raises(rc.InvalidPointsError, match=r"invalid polygons at rows 0.*make_valid"):
        rc.grid.aggregate(SQUARE_CELLS, areas=invalid, columns="people")
