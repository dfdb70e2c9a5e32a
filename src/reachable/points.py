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


def _examples(values) -> str:
    values = values.tolist() if hasattr(values, "tolist") else list(values)
    shown = ", ".join(repr(v) for v in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")


def as_points(frame, name: str = "origins") -> Points:
    """Read points from a GeoDataFrame of Points (any CRS) or a DataFrame with ``id, lon, lat``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or pandas.DataFrame
        A GeoDataFrame with an ``id`` column and Point geometries in a defined CRS, or a
        DataFrame with columns ``id``, ``lon`` and ``lat`` in WGS84 degrees.
    name : str
        What the points are, for error messages.

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
        geometry = frame.geometry.to_crs(4326).reset_index(drop=True)
        bad = np.flatnonzero((geometry.geom_type != "Point").to_numpy() | geometry.is_empty.to_numpy())
        if len(bad):
            raise InvalidPointsError(
                f"{name} must hold Point geometries; rows {_examples(bad)} do not "
                "(use .representative_point() for polygons)"
            )
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
