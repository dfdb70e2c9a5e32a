"""``routes.txt`` and ``trips.txt``: the routes of a feed and the trips that run them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .files import Problems, column_or_empty, first_index, parse_integers

__all__ = ["ROUTES_COLUMNS", "TRIPS_COLUMNS", "Routes", "Trips", "check_routes", "check_trips"]

ROUTES_COLUMNS = ("route_id", "route_type")
"""Required columns of ``routes.txt``."""

TRIPS_COLUMNS = ("route_id", "service_id", "trip_id")
"""Required columns of ``trips.txt``."""


@dataclasses.dataclass
class Routes:
    """The routes of ``routes.txt``, first row of each id, in file order.

    Attributes
    ----------
    index : pandas.Index
        Route ids.
    short_name, long_name : ndarray of object
    route_type : ndarray of int64
        -1 where not an integer.
    """

    index: pd.Index
    short_name: np.ndarray
    long_name: np.ndarray
    route_type: np.ndarray


def check_routes(frame: pd.DataFrame, where: str, problems: Problems) -> Routes:
    """The routes of ``routes.txt``; ``where`` (``"<feed>/routes.txt"``) names the file in messages.

    Reports empty and repeated ``route_id`` and a ``route_type`` that is not an integer.
    """
    index, rows = first_index(column_or_empty(frame, "route_id"), where, "route_id", problems)
    raw = column_or_empty(frame, "route_type")
    route_type, bad = parse_integers(raw)
    problems.bad_values(where, "route_type", raw, bad, "an integer")
    return Routes(
        index=index,
        short_name=column_or_empty(frame, "route_short_name").to_numpy(dtype=object)[rows],
        long_name=column_or_empty(frame, "route_long_name").to_numpy(dtype=object)[rows],
        route_type=route_type[rows],
    )


@dataclasses.dataclass
class Trips:
    """The trips of ``trips.txt``, first row of each id, in file order.

    Attributes
    ----------
    index : pandas.Index
        Trip ids.
    rows : ndarray of int64
        The ``trips.txt`` row of each trip.
    route : ndarray of int64
        Index into the routes, -1 when unknown.
    service, shape : ndarray of object
        ``service_id`` and ``shape_id`` (``""`` for none).
    """

    index: pd.Index
    rows: np.ndarray
    route: np.ndarray
    service: np.ndarray
    shape: np.ndarray


def check_trips(frame: pd.DataFrame, where: str, routes: Routes | None, problems: Problems) -> Trips:
    """The trips of ``trips.txt``; ``where`` (``"<feed>/trips.txt"``) names the file in messages.

    Reports empty and repeated ``trip_id`` and, unless ``routes`` is None (``routes.txt``
    is unusable), a ``route_id`` that is not in ``routes.txt``.
    """
    index, rows = first_index(column_or_empty(frame, "trip_id"), where, "trip_id", problems)
    route = np.full(len(frame), -1, dtype=np.int64)
    if routes is not None:
        route_ids = column_or_empty(frame, "route_id")
        route = routes.index.get_indexer(route_ids)
        problems.bad_values(where, "route_id", route_ids, route < 0, "in routes.txt")
    return Trips(
        index=index,
        rows=rows,
        route=route[rows],
        service=column_or_empty(frame, "service_id").to_numpy(dtype=object)[rows],
        shape=column_or_empty(frame, "shape_id").str.strip().to_numpy(dtype=object)[rows],
    )
