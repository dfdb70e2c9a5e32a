"""Grids of cells to measure accessibility from, and counts moved into them.

:func:`h3` makes the H3 hexagons covering an area, or holding a set of points. :func:`aggregate`
moves counts (people, jobs, pupils, ...) into any polygon cells, from points (summed by the
cell they fall in) or from polygons such as census blocks (spread by area share).

>>> import reachable as rc
>>> cells = rc.grid.h3(municipality, resolution=9)                                      # doctest: +SKIP
>>> cells = rc.grid.aggregate(cells, areas=census_blocks, columns=["population"])     # doctest: +SKIP
>>> cells.attrs["areas_lost"]                                                           # doctest: +SKIP
{'population': 12.5}
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import h3 as h3lib
import numpy as np
import pandas as pd
import pyproj
import shapely

from ._checks import column_names, examples, whole_number
from .errors import CRSError, InvalidParameterError, InvalidPointsError, ReachableError
from .points import opportunity_counts

__all__ = ["aggregate", "h3"]

MAX_RESOLUTION = 15
"""The finest H3 resolution (cells of about 0.9 m²)."""

_POLYGONS = ("Polygon", "MultiPolygon")


def h3(area: Any = None, *, points: Any = None, resolution: int = 9) -> gpd.GeoDataFrame:
    """The H3 cells covering an area, or the cells holding some points.

    Parameters
    ----------
    area : shapely geometry, geopandas.GeoSeries or geopandas.GeoDataFrame, optional
        Polygons or multipolygons: a shapely geometry in WGS84 lon/lat degrees, or a
        GeoSeries/GeoDataFrame in any CRS, whose rows are merged into one area. Every cell
        whose centre lies inside it is returned, sorted by id.
    points : geopandas.GeoDataFrame, geopandas.GeoSeries or pandas.DataFrame, optional
        Points in any CRS, or a DataFrame with WGS84 ``lon`` and ``lat`` columns in degrees,
        instead of ``area``: the cells holding them are returned once each, in the order
        they are first met.
    resolution : int, default 9
        H3 resolution, 0 (cells of about 4.4 million km²) to 15 (about 0.9 m²); 9 gives
        cells of about 0.1 km², 200 m a side.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell, in EPSG:4326: ``id`` (H3 index string), ``lon`` and ``lat`` (cell
        centre, degrees) and ``geometry`` (the hexagon, or pentagon, polygon).

    Raises
    ------
    InvalidParameterError
        Neither ``area`` nor ``points``, or both; ``resolution`` not a whole number in 0..15;
        ``area`` not polygons; no cell centre inside ``area``.
    InvalidPointsError
        ``points`` empty, not points, or with missing or out-of-range coordinates.
    CRSError
        ``area`` or ``points`` in a frame without CRS, or a shapely ``area`` whose
        coordinates are not lon/lat degrees.
    """
    resolution = whole_number("resolution", resolution, minimum=0)
    if resolution > MAX_RESOLUTION:
        raise InvalidParameterError(
            f"resolution must be a whole number from 0 to {MAX_RESOLUTION}, got {resolution}"
        )
    if (area is None) == (points is None):
        raise InvalidParameterError(
            "give either area= (polygons to cover) or points= (points whose cells to take), "
            + ("not both" if area is not None else "got neither")
        )
    if points is not None:
        geometry = _point_geometry(points, "points").to_crs(4326)
        ids = [
            h3lib.latlng_to_cell(lat, lon, resolution)
            for lon, lat in zip(geometry.x.to_numpy(), geometry.y.to_numpy(), strict=True)
        ]
        return _cells_frame(pd.unique(pd.Series(ids, dtype=object)).tolist())

    shape = _area_lonlat(area)
    ids = sorted(h3lib.geo_to_cells(shape, resolution))
    if not ids:
        size = h3lib.average_hexagon_area(resolution, unit="m^2")
        finer = (
            f"try a finer one, e.g. resolution={resolution + 1}"
            if resolution < MAX_RESOLUTION
            else "there is no finer one: use points= instead"
        )
        raise InvalidParameterError(
            f"no H3 cell of resolution {resolution} has its centre inside the area, which may be "
            f"smaller than one cell (about {size:,.0f} m² at that resolution): {finer}"
        )
    return _cells_frame(ids)


def aggregate(
    cells: gpd.GeoDataFrame,
    *,
    points: pd.DataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    columns: str | list[str],
    how: str = "sum",
) -> gpd.GeoDataFrame:
    """Counts from points and/or polygons moved into cells.

    From ``points``, each cell gets the sum of the counts of the points inside it (a point
    on the edge shared by two cells goes to one of them only). From ``areas``, each count is
    spread over the cells by the share of the area's surface lying in each cell: a block of
    100 people half inside a cell gives it 50 (area-weighted interpolation of extensive
    counts, assuming people are spread evenly within each area). Surfaces are measured in a
    Lambert azimuthal equal-area projection centred on the cells, in m², never in degrees.
    An edge that a cell and an area share in their own CRS may part by a sliver there: totals
    hold to about 1e-8 of the counts.

    This is tobler's ``area_interpolate(..., allocate_total=False)`` written with shapely:
    tobler would bring in a dozen packages (libpysal, scikit-learn, statsmodels,
    rasterstats, ...) for these few lines; its default (``allocate_total=True``) renormalises,
    giving the part of a block outside every cell to the cells it touches; it turns NaN
    counts into 0 with only a warning, and returns None (printing a message) for frames in
    different CRSs.

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        Polygon cells in any CRS, such as those of :func:`h3`. They should not overlap: a
        surface shared by two cells would be counted in both.
    points : geopandas.GeoDataFrame or pandas.DataFrame, optional
        Points with the count ``columns``, in any CRS, or a DataFrame with WGS84 ``lon`` and
        ``lat`` columns in degrees.
    areas : geopandas.GeoDataFrame, optional
        Polygons (census blocks, ...) with the count ``columns``, in any CRS.
    columns : str or list of str
        The count columns, present in every source given; they must not already be columns of
        ``cells``.
    how : {"sum"}, default "sum"
        How the counts combine in a cell: added up, as counts of people or jobs do.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``cells`` with one float column per count column, 0 where nothing falls.
        ``attrs["points_lost"]`` (when ``points`` is given) maps each column to the total of
        the points inside no cell; ``attrs["areas_lost"]`` (when ``areas`` is given) to the
        total spread over the surface of the areas outside every cell.

    Raises
    ------
    InvalidParameterError
        Neither ``points`` nor ``areas``; ``how`` not ``"sum"``; a count column already in
        ``cells``.
    InvalidPointsError
        ``cells`` or ``areas`` not valid polygons, ``points`` not points, a missing or
        non-numeric count column, NaN, infinite or negative counts (naming the rows).
    CRSError
        ``cells``, ``points`` or ``areas`` without CRS.
    """
    if how != "sum":
        raise InvalidParameterError(f"how must be 'sum' (counts add up), got {how!r}")
    if points is None and areas is None:
        raise InvalidParameterError("give points= and/or areas= holding the counts to move into the cells")
    cell_geometry = _polygon_geometry(cells, "cells")
    columns = column_names(columns, reserved=tuple(map(str, cells.columns)))

    sums = np.zeros((len(cells), len(columns)))
    attrs = {}
    if points is not None:
        if not isinstance(points, pd.DataFrame):
            raise InvalidPointsError(
                "points must be a GeoDataFrame or DataFrame holding the count columns, "
                f"got {type(points).__name__}"
            )
        point_geometry = _point_geometry(points, "points").to_crs(cell_geometry.crs)
        counts = opportunity_counts(points, columns, "points")
        point_index, cell_index = cell_geometry.sindex.query(
            point_geometry.to_numpy(), predicate="intersects"
        )
        # A point on the edge shared by two cells intersects both: keep its first cell only, so
        # that no point is counted twice and the totals hold.
        order = np.lexsort((cell_index, point_index))
        point_index, cell_index = point_index[order], cell_index[order]
        first = np.unique(point_index, return_index=True)[1]
        point_index, cell_index = point_index[first], cell_index[first]
        np.add.at(sums, cell_index, counts[point_index])
        outside = np.ones(len(points), dtype=bool)
        outside[point_index] = False
        attrs["points_lost"] = dict(zip(columns, counts[outside].sum(axis=0).tolist(), strict=True))

    if areas is not None:
        area_geometry = _polygon_geometry(areas, "areas")
        counts = opportunity_counts(areas, columns, "areas")
        crs = _equal_area_crs(cell_geometry)
        cell_geometry, area_geometry = cell_geometry.to_crs(crs), area_geometry.to_crs(crs)
        # Valid polygons have a surface > 0, so the shares below are defined.
        surface = area_geometry.area.to_numpy()
        area_index, cell_index = cell_geometry.sindex.query(area_geometry.to_numpy(), predicate="intersects")
        shared = shapely.area(
            shapely.intersection(area_geometry.to_numpy()[area_index], cell_geometry.to_numpy()[cell_index])
        )
        share = shared / surface[area_index]
        np.add.at(sums, cell_index, counts[area_index] * share[:, None])
        # Clipped at 0: rounding can make the shares of a block fully inside the cells add up
        # to a hair over 1.
        uncovered = np.clip(1 - np.bincount(area_index, weights=share, minlength=len(areas)), 0, None)
        lost = (counts * uncovered[:, None]).sum(axis=0)
        attrs["areas_lost"] = dict(zip(columns, lost.tolist(), strict=True))

    result = cells.copy()
    for position, column in enumerate(columns):
        result[column] = sums[:, position]
    result.attrs.update(attrs)
    return result


def _cells_frame(ids: list[str]) -> gpd.GeoDataFrame:
    """H3 cells as a GeoDataFrame: id, centre lon/lat and polygon, in EPSG:4326."""
    centres = np.array([h3lib.cell_to_latlng(cell) for cell in ids], dtype=float).reshape(-1, 2)
    # h3 gives (lat, lng) pairs; shapely wants (x, y) = (lng, lat).
    polygons = [shapely.Polygon([(lng, lat) for lat, lng in h3lib.cell_to_boundary(cell)]) for cell in ids]
    return gpd.GeoDataFrame(
        {"id": ids, "lon": centres[:, 1], "lat": centres[:, 0]},
        geometry=polygons,
        crs="EPSG:4326",
    )


def _area_lonlat(area: Any) -> shapely.Geometry:
    """``area`` as one shapely (multi)polygon in WGS84 lon/lat degrees."""
    if isinstance(area, (gpd.GeoSeries, gpd.GeoDataFrame)):
        return shapely.union_all(
            _polygon_geometry(area, "area", InvalidParameterError).to_crs(4326).to_numpy()
        )
    if not isinstance(area, shapely.Geometry):
        raise InvalidParameterError(
            f"area must be a shapely polygon in WGS84 or a GeoSeries/GeoDataFrame of polygons, "
            f"got {type(area).__name__}"
        )
    if area.geom_type not in _POLYGONS or area.is_empty:
        raise InvalidParameterError(
            f"area must be a polygon or multipolygon, got {'an empty ' if area.is_empty else 'a '}"
            f"{area.geom_type} (buffer points or lines first, e.g. in a metric CRS)"
        )
    west, south, east, north = area.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        raise CRSError(
            f"a shapely area is read as WGS84 lon/lat degrees, but its bounds {area.bounds} are not; "
            "pass it with its CRS instead, e.g. geopandas.GeoSeries([area], crs=31982)"
        )
    if not area.is_valid:
        raise InvalidParameterError(
            f"area is not a valid polygon ({shapely.is_valid_reason(area)}); "
            "repair it with shapely.make_valid"
        )
    return area


def _point_geometry(points: Any, name: str) -> gpd.GeoSeries:
    """The points of a GeoDataFrame/GeoSeries (with its CRS) or of a lon/lat DataFrame, checked."""
    if isinstance(points, gpd.GeoSeries) or (
        isinstance(points, gpd.GeoDataFrame) and points.active_geometry_name is not None
    ):
        if points.crs is None:
            raise CRSError(
                f"{name} has no CRS; set it with {name}.set_crs(...), e.g. 'EPSG:4326' for lon/lat"
            )
        geometry = gpd.GeoSeries(points.geometry.array, crs=points.crs)
        if len(geometry) == 0:
            raise InvalidPointsError(f"{name} is empty")
        missing = np.flatnonzero((geometry.isna() | geometry.is_empty).to_numpy())
        if len(missing):
            raise InvalidPointsError(
                f"{name} has empty or missing geometries at rows {examples(missing)} (0-based positions); "
                "drop them first"
            )
        not_points = np.flatnonzero((geometry.geom_type != "Point").to_numpy())
        if len(not_points):
            raise InvalidPointsError(
                f"{name} must hold Point geometries; rows {examples(not_points)} (0-based positions) do not "
                "(use .representative_point() for polygons, or pass polygons with counts as areas=)"
            )
        return geometry
    if not isinstance(points, pd.DataFrame):
        raise InvalidPointsError(
            f"{name} must be a GeoDataFrame/GeoSeries of points or a DataFrame with lon, lat columns, "
            f"got {type(points).__name__}"
        )
    if len(points) == 0:
        raise InvalidPointsError(f"{name} is empty")
    absent = [column for column in ("lon", "lat") if column not in points.columns]
    if absent:
        raise InvalidPointsError(
            f"{name} has no {' or '.join(absent)} column; pass WGS84 lon/lat columns or a GeoDataFrame"
        )
    try:
        lon, lat = points["lon"].to_numpy(dtype=float), points["lat"].to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise InvalidPointsError(f"{name} lon/lat must be numbers ({error})") from error
    bad = np.flatnonzero(~(np.abs(lon) <= 180) | ~(np.abs(lat) <= 90))
    if len(bad):
        raise InvalidPointsError(
            f"{name} has missing or out-of-range WGS84 coordinates at rows {examples(bad)} (0-based "
            "positions); lon must be in [-180, 180] and lat in [-90, 90]"
        )
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def _polygon_geometry(
    frame: Any, name: str, error: type[ReachableError] = InvalidPointsError
) -> gpd.GeoSeries:
    """The polygons of a GeoDataFrame/GeoSeries with a CRS, checked, without the frame's index."""
    if not (
        isinstance(frame, gpd.GeoSeries)
        or (isinstance(frame, gpd.GeoDataFrame) and frame.active_geometry_name is not None)
    ):
        raise error(f"{name} must be a GeoDataFrame of polygons, got {type(frame).__name__}")
    if frame.crs is None:
        raise CRSError(f"{name} has no CRS; set it with {name}.set_crs(...), e.g. 'EPSG:4326' for lon/lat")
    geometry = gpd.GeoSeries(frame.geometry.array, crs=frame.crs)
    if len(geometry) == 0:
        raise error(f"{name} is empty")
    for problem, bad, fix in (
        ("empty or missing geometries", geometry.isna() | geometry.is_empty, "drop them first"),
        (
            "geometries that are not polygons",
            ~geometry.geom_type.isin(_POLYGONS),
            "buffer points or lines first, or make H3 cells of points with reachable.grid.h3(points=...)",
        ),
        ("invalid polygons", ~geometry.is_valid, "repair them with .make_valid()"),
    ):
        rows = np.flatnonzero(bad.to_numpy())
        if len(rows):
            raise error(f"{name} has {problem} at rows {examples(rows)} (0-based positions); {fix}")
    return geometry


def _equal_area_crs(geometry: gpd.GeoSeries) -> pyproj.CRS:
    """A Lambert azimuthal equal-area CRS centred on ``geometry``, in metres.

    Equal-area so that shares of surface are shares of ground, and centred on the data so
    that shapes stay true there too (a continental equal-area CRS would shear them).
    """
    west, south, east, north = geometry.to_crs(4326).total_bounds
    return pyproj.CRS.from_dict(
        {
            "proj": "laea",
            "lat_0": (south + north) / 2,
            "lon_0": (west + east) / 2,
            "datum": "WGS84",
            "units": "m",
        }
    )
