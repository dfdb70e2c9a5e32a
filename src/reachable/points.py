"""Validate origins and destinations: ids and WGS84 coordinates from (Geo)DataFrames."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CRSError, InvalidPointsError


@dataclass(frozen=True)
class Points:
    """Validated points: the user's ids (dtype kept) and WGS84 coordinates in degrees."""

    ids: pd.Series
    lon: np.ndarray
    lat: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, rows: slice) -> Points:
        """The points ``rows``, as points of their own."""
        return Points(self.ids.iloc[rows].reset_index(drop=True), self.lon[rows], self.lat[rows])


def _examples(values) -> str:
    values = values.tolist() if hasattr(values, "tolist") else list(values)
    shown = ", ".join(repr(v) for v in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")


def as_points(frame, name: str = "origins", *, areas: bool = False) -> Points:
    """Read points from a GeoDataFrame of Points (any CRS) or a DataFrame with ``id, lon, lat``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or pandas.DataFrame
        A GeoDataFrame with an ``id`` column and Point geometries in a defined CRS, or a
        DataFrame with columns ``id``, ``lon`` and ``lat`` in WGS84 degrees.
    name : str
        What the points are, for error messages.
    areas : bool, default False
        Also accept polygons and lines, counted at their representative point (a point
        inside the shape, computed in the frame's own CRS; unlike a centroid it never
        falls outside a crescent or a ring).

    Returns
    -------
    Points

    Raises
    ------
    InvalidPointsError
        Not a frame, empty, no ``id`` column, missing or duplicate ids, geometries that are
        not points, missing or out-of-range coordinates.
    CRSError
        A GeoDataFrame without CRS.
    """
    import geopandas as gpd

    if not isinstance(frame, pd.DataFrame):
        raise InvalidPointsError(
            f"{name} must be a GeoDataFrame of points or a DataFrame with id, lon, lat columns, "
            f"got {type(frame).__name__}"
        )
    if len(frame) == 0:
        raise InvalidPointsError(f"{name} is empty")
    if "id" not in frame.columns:
        raise InvalidPointsError(f"{name} has no 'id' column; add one naming each point")
    ids = frame["id"].reset_index(drop=True)
    missing = np.flatnonzero(ids.isna().to_numpy())
    if len(missing):
        raise InvalidPointsError(f"{name} has {len(missing)} missing ids, at rows {_examples(missing)}")
    duplicated = ids[ids.duplicated()].unique()
    if len(duplicated):
        raise InvalidPointsError(f"{name} has {len(duplicated)} duplicate ids: {_examples(duplicated)}")

    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        if frame.crs is None:
            raise CRSError(
                f"{name} has no CRS; set it with {name}.set_crs(...), e.g. 'EPSG:4326' for lon/lat"
            )
        geometry = frame.geometry.reset_index(drop=True)
        empty = np.flatnonzero(geometry.is_empty.to_numpy() | geometry.isna().to_numpy())
        if len(empty):
            raise InvalidPointsError(f"{name} has empty or missing geometries at rows {_examples(empty)}")
        if areas:
            geometry = geometry.representative_point()
        bad = np.flatnonzero((geometry.geom_type != "Point").to_numpy())
        if len(bad):
            raise InvalidPointsError(
                f"{name} must hold Point geometries; rows {_examples(bad)} do not "
                "(use .representative_point() for polygons)"
            )
        geometry = geometry.to_crs(4326)
        lon, lat = geometry.x.to_numpy(float), geometry.y.to_numpy(float)
    else:
        absent = [column for column in ("lon", "lat") if column not in frame.columns]
        if absent:
            raise InvalidPointsError(
                f"{name} has no {' or '.join(absent)} column; pass WGS84 lon/lat columns or a GeoDataFrame"
            )
        try:
            lon = frame["lon"].to_numpy(dtype=float)
            lat = frame["lat"].to_numpy(dtype=float)
        except (TypeError, ValueError) as error:
            raise InvalidPointsError(f"{name} lon/lat must be numbers ({error})") from error
    bad = np.flatnonzero(~(np.abs(lon) <= 180) | ~(np.abs(lat) <= 90))
    if len(bad):
        raise InvalidPointsError(
            f"{name} has missing or out-of-range WGS84 coordinates for ids "
            f"{_examples(ids.iloc[bad])} (lon must be in [-180, 180], lat in [-90, 90])"
        )
    return Points(ids=ids, lon=lon, lat=lat)


def opportunity_counts(frame, columns: list[str], name: str = "opportunities") -> np.ndarray:
    """The ``columns`` of ``frame`` as a float64 array (n_rows, n_columns), checked.

    Raises
    ------
    InvalidPointsError
        A column is missing, not numeric, or holds NaN, infinite or negative counts.
    """
    if isinstance(columns, str) or not len(columns):
        raise InvalidPointsError(f"columns must be a non-empty list of {name} column names, got {columns!r}")
    ids = frame["id"].reset_index(drop=True) if "id" in frame.columns else pd.Series(range(len(frame)))
    values = []
    for column in columns:
        if column not in frame.columns:
            raise InvalidPointsError(
                f"{name} has no column {column!r}; it has {', '.join(map(str, frame.columns))}"
            )
        series = frame[column].reset_index(drop=True)
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            raise InvalidPointsError(
                f"{name} column {column!r} must be numeric counts, got dtype {series.dtype}"
            )
        numbers = series.to_numpy(dtype=float)
        for problem, bad in (
            ("NaN", np.isnan(numbers)),
            ("infinite", np.isinf(numbers)),
            ("negative", numbers < 0),
        ):
            if bad.any():
                raise InvalidPointsError(
                    f"{name} column {column!r} has {int(bad.sum())} {problem} counts, at ids "
                    f"{_examples(ids[bad])}; fill or drop them first"
                )
        values.append(numbers)
    return np.column_stack(values)


def with_origin_geometry(table: pd.DataFrame, origins, points: Points):
    """``table``, blocks of one row per origin in the order given, as a GeoDataFrame of the origins.

    The geometry is the origins' own (in their CRS) for a GeoDataFrame, else their lon/lat
    points in EPSG:4326.
    """
    import geopandas as gpd

    if isinstance(origins, gpd.GeoDataFrame):
        geometry, crs = origins.geometry.reset_index(drop=True), origins.crs
    else:
        geometry, crs = gpd.points_from_xy(points.lon, points.lat), "EPSG:4326"
    repeats = len(table) // len(points)
    return gpd.GeoDataFrame(table, geometry=np.tile(np.asarray(geometry, dtype=object), repeats), crs=crs)
