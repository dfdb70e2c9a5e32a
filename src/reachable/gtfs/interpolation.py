"""Times of the stops ``stop_times.txt`` leaves without one, by distance along the trip.

Distances come from ``shape_dist_traveled``, else from positions along the trip's shape in
``shapes.txt``, else from straight legs between the stops: each interval between two
timed stops takes the first of these that is known over it and never goes backwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from .files import FeedFiles, parse_numbers
from .stops import Stops

__all__ = ["fill_empty_times"]

logger = logging.getLogger("reachable")

EARTH_RADIUS = 6_371_008.8
"""Mean earth radius, metres."""


def _great_circle(lon: np.ndarray, lat: np.ndarray, new_trip: np.ndarray) -> np.ndarray:
    """Distance along each trip over straight legs between consecutive stops, metres."""
    lon, lat = np.radians(lon), np.radians(lat)
    step = np.zeros(len(lon))
    if len(lon) > 1:
        half = (
            np.sin((lat[1:] - lat[:-1]) / 2) ** 2
            + np.cos(lat[1:]) * np.cos(lat[:-1]) * np.sin((lon[1:] - lon[:-1]) / 2) ** 2
        )
        step[1:] = 2 * EARTH_RADIUS * np.arcsin(np.sqrt(np.clip(half, 0, 1)))
    step[new_trip] = 0
    total = np.cumsum(step)
    return total - total[np.maximum.accumulate(np.where(new_trip, np.arange(len(step)), 0))]


def _metric(lon: np.ndarray, lat: np.ndarray):
    """Transformer from WGS84 to metres: transverse Mercator centred on the stops.

    Only ratios of lengths within one trip matter, so a projection centred on the feed is
    as good as a UTM zone, needs no zone lookup and works across zone borders.
    """
    import pyproj

    centre = f"+lat_0={float(np.median(lat))} +lon_0={float(np.median(lon))}"
    crs = pyproj.CRS.from_proj4(f"+proj=tmerc {centre} +k=1 +datum=WGS84 +units=m")
    return pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def _read_shapes(files: FeedFiles, transformer) -> tuple[pd.Index, np.ndarray] | None:
    """Shape ids and their metric LineStrings (None for a shape of fewer than 2 points)."""
    import shapely

    frame = files.read(
        "shapes.txt",
        ["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"],
        optional=True,
        strict=False,
    )
    if frame is None or len(frame) == 0:
        return None
    lat, lon = parse_numbers(frame["shape_pt_lat"]), parse_numbers(frame["shape_pt_lon"])
    sequence = parse_numbers(frame["shape_pt_sequence"])
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon) & np.isfinite(sequence))
    if len(ok) < len(frame):
        logger.info(
            "%s/shapes.txt: %d points without coordinates or sequence ignored",
            files.name,
            len(frame) - len(ok),
        )
    codes, names = pd.factorize(frame["shape_id"].str.strip().to_numpy(dtype=object)[ok])
    order = np.lexsort((sequence[ok], codes))
    codes = codes[order]
    x, y = transformer.transform(lon[ok][order], lat[ok][order])
    lines = np.full(len(names), None, dtype=object)
    usable = np.bincount(codes, minlength=len(names))[codes] >= 2
    if usable.any():
        kept, inverse = np.unique(codes[usable], return_inverse=True)
        lines[kept] = shapely.linestrings(np.column_stack([x[usable], y[usable]]), indices=inverse)
    return pd.Index(names), lines


def _along_shapes(
    trip: np.ndarray,
    stop: np.ndarray,
    rows: np.ndarray,
    trip_shape: np.ndarray,
    stops: Stops,
    files: FeedFiles,
) -> np.ndarray | None:
    """Position of each stop of ``rows`` along its trip's shape, metres; NaN without a shape."""
    import shapely

    transformer = _metric(stops.lon, stops.lat)
    found = _read_shapes(files, transformer)
    if found is None:
        return None
    shape_index, lines = found
    shape = shape_index.get_indexer(trip_shape[trip])
    has_line = np.array([line is not None for line in lines], dtype=bool)  # one per shape
    rows = rows & (shape >= 0)
    rows[rows] = has_line[shape[rows]]
    along = np.full(len(trip), np.nan)
    if rows.any():
        # Trips of a route share shape and stops: locate each (shape, stop) pair once.
        n_stops = len(stops.lon)
        pair, inverse = np.unique(shape[rows].astype(np.int64) * n_stops + stop[rows], return_inverse=True)
        x, y = transformer.transform(stops.lon[pair % n_stops], stops.lat[pair % n_stops])
        along[rows] = shapely.line_locate_point(lines[pair // n_stops], shapely.points(x, y))[inverse.ravel()]
    return along


def _interpolate(
    arrival: np.ndarray,
    departure: np.ndarray,
    new_trip: np.ndarray,
    distances: Sequence[Callable[[np.ndarray], np.ndarray | None]],
) -> np.ndarray:
    """Fill empty times (-1) in place, linearly in distance between the timed stops around them.

    Every trip starts and ends at a timed stop (checked before), so the timed rows before
    and after an empty one are of the same trip. ``distances`` are tried in order, each
    called with the mask of rows still to place and returning distances along the trip
    (or None): an interval between two timed stops takes the first whose distances are
    known and never decrease over it; the last one must always work.

    Returns
    -------
    ndarray of int64
        For each empty time, which of ``distances`` placed it.
    """
    timed = arrival >= 0
    gap = np.flatnonzero(~timed)
    method = np.full(len(gap), -1, dtype=np.int64)
    if len(gap) == 0:
        return method
    n = len(arrival)
    positions = np.arange(n)
    last_timed = np.maximum.accumulate(np.where(timed, positions, -1))
    # Interval of a row: the last timed row strictly before it (rows opening a trip have none).
    interval = np.full(n, -1, dtype=np.int64)
    interval[1:] = last_timed[:-1]
    interval[new_trip] = -1
    before = last_timed[gap]
    after = np.minimum.accumulate(np.where(timed, positions, n)[::-1])[::-1][gap]
    fraction = np.zeros(len(gap))
    trip_number = np.cumsum(new_trip) - 1
    for number, distance_of in enumerate(distances):
        todo = method < 0
        if not todo.any():
            break
        # Whole trips are asked for, as distances along a trip depend on all its stops.
        wanted = np.isin(trip_number, trip_number[gap[todo]])
        distance = distance_of(wanted)
        if distance is None:
            continue
        step_bad = ~np.isfinite(distance)
        step_bad[1:] |= ~np.isfinite(distance[:-1]) | (distance[1:] < distance[:-1])
        bad_interval = np.zeros(n, dtype=bool)
        bad_interval[interval[step_bad & (interval >= 0)]] = True
        use = np.flatnonzero(todo & ~bad_interval[before])
        span = distance[after[use]] - distance[before[use]]
        covered = distance[gap[use]] - distance[before[use]]
        with np.errstate(divide="ignore", invalid="ignore"):
            # Stops at one spot (zero span) share the interval evenly, in sequence order.
            fraction[use] = np.where(
                span > 0, covered / span, (gap[use] - before[use]) / (after[use] - before[use])
            )
        method[use] = number
    start, end = departure[before], arrival[after]
    filled = start + np.rint(np.clip(fraction, 0, 1) * (end - start)).astype(np.int64)
    arrival[gap] = filled
    departure[gap] = filled
    return method


def fill_empty_times(
    trip: np.ndarray,
    stop: np.ndarray,
    arrival: np.ndarray,
    departure: np.ndarray,
    new_trip: np.ndarray,
    shape_dist: np.ndarray | None,
    trip_shape: np.ndarray,
    stops: Stops,
    files: FeedFiles,
) -> None:
    """Give every stop without a time one, in place, by distance along its trip.

    Parameters
    ----------
    trip, stop : ndarray of int64, shape (n,)
        Trip and stop of each stop-time row; the rows of a trip are consecutive, in
        ``stop_sequence`` order.
    arrival, departure : ndarray of int64, shape (n,)
        Seconds, -1 where empty; every trip starts and ends with a time.
    new_trip : ndarray of bool, shape (n,)
        Rows that start a trip.
    shape_dist : ndarray of float64, shape (n,), or None
        ``shape_dist_traveled``, NaN where empty.
    trip_shape : ndarray of object, shape (n_trips,)
        ``shape_id`` of each trip.
    stops : Stops
    files : FeedFiles
        The feed; ``shapes.txt`` is read only for times ``shape_dist`` does not place.
    """
    if not (arrival < 0).any():
        return
    method = _interpolate(
        arrival,
        departure,
        new_trip,
        [
            lambda rows: shape_dist,
            lambda rows: _along_shapes(trip, stop, rows, trip_shape, stops, files),
            lambda rows: _great_circle(stops.lon[stop], stops.lat[stop], new_trip),
        ],
    )
    used = np.bincount(method, minlength=3)
    logger.info(
        "%s: %d empty times interpolated by shape_dist_traveled (%d), shapes (%d), straight lines (%d)",
        files.name,
        len(method),
        *used.tolist(),
    )
