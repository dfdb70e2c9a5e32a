"""``stops.txt``: the locations of a feed, and which of them trips can call at."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .files import Problems, column_or_empty, first_index, parse_integers, parse_numbers

__all__ = ["LOCATION_TYPES", "STOPS_COLUMNS", "Stops", "check_stops"]

STOPS_COLUMNS = ("stop_id", "stop_lat", "stop_lon")
"""Required columns of ``stops.txt``."""

LOCATION_TYPES = {0: "a stop", 1: "a station", 2: "an entrance", 3: "a generic node", 4: "a boarding area"}
"""``location_type`` values, as named in messages."""


@dataclasses.dataclass
class Stops:
    """The locations of ``stops.txt``, and its stops (``location_type`` 0) apart.

    Attributes
    ----------
    index : pandas.Index
        Every location (stops, stations, entrances, ...), first row of each id.
    location_type : ndarray of int64
        Per location.
    stop_of_location : ndarray of int64
        Per location: index into the stops, -1 when not a stop.
    ids, names, lon, lat, parent : ndarray
        Per stop, in ``stops.txt`` order; ``parent`` is the raw ``parent_station``.
    """

    index: pd.Index
    location_type: np.ndarray
    stop_of_location: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    parent: np.ndarray


def check_stops(frame: pd.DataFrame, where: str, problems: Problems) -> Stops:
    """The locations of ``stops.txt``; ``where`` (``"<feed>/stops.txt"``) names the file in messages.

    Reports empty and repeated ``stop_id``, ``location_type`` other than 0 to 4, and stops
    whose latitude or longitude is missing or out of range.
    """
    index, rows = first_index(column_or_empty(frame, "stop_id"), where, "stop_id", problems)
    raw_type = column_or_empty(frame, "location_type")
    location_type, bad_type = parse_integers(raw_type, default=0)
    bad_type |= ~np.isin(location_type, list(LOCATION_TYPES))
    problems.bad_values(where, "location_type", raw_type, bad_type, "one of 0, 1, 2, 3, 4")
    is_stop = np.zeros(len(frame), dtype=bool)
    is_stop[rows] = location_type[rows] == 0
    raw_lat, raw_lon = column_or_empty(frame, "stop_lat"), column_or_empty(frame, "stop_lon")
    lat, lon = parse_numbers(raw_lat), parse_numbers(raw_lon)
    # Only stops are placed on the street network; stations may lack coordinates.
    problems.bad_values(
        where, "stop_lat", raw_lat, is_stop & ~(np.abs(lat) <= 90), "a latitude in [-90, 90] degrees"
    )
    problems.bad_values(
        where, "stop_lon", raw_lon, is_stop & ~(np.abs(lon) <= 180), "a longitude in [-180, 180] degrees"
    )
    stop_rows = np.flatnonzero(is_stop)
    stop_of_row = np.full(len(frame), -1, dtype=np.int64)
    stop_of_row[stop_rows] = np.arange(len(stop_rows))
    return Stops(
        index=index,
        location_type=location_type[rows],
        stop_of_location=stop_of_row[rows],
        ids=column_or_empty(frame, "stop_id").to_numpy(dtype=object)[stop_rows],
        names=column_or_empty(frame, "stop_name").to_numpy(dtype=object)[stop_rows],
        lon=lon[stop_rows],
        lat=lat[stop_rows],
        parent=column_or_empty(frame, "parent_station").str.strip().to_numpy(dtype=object)[stop_rows],
    )
