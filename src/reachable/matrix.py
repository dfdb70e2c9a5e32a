"""Travel-time matrices between points, by street mode."""

from __future__ import annotations

import logging
import warnings

import numba
import numpy as np
import pandas as pd

from ._progress import progress_bar
from .errors import InvalidParameterError, ReachableWarning
from .kernels import street_travel_times
from .modes import DEFAULT_BIKE_SPEED, DEFAULT_WALK_SPEED
from .network.network import Network
from .network.street import StreetGraph, check_speeds
from .points import Points, as_points

logger = logging.getLogger("reachable")

DEFAULT_MAX_SNAP_DISTANCE = 1600.0
"""Metres; farther points are unreachable (R5's largest linking radius)."""

ORIGINS_PER_CHUNK = 2000
"""Origins routed per kernel call: bounds memory to chunk x destinations results."""


def check_positive(name: str, value, *, unit: str) -> float:
    """``value`` as a float if it is a positive finite number, else a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise InvalidParameterError(f"{name} must be a number of {unit}, got {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise InvalidParameterError(f"{name} must be a positive number of {unit}, got {value!r}")
    return float(value)


def _warn_unsnapped(points: Points, edge: np.ndarray, name: str, mode: str, limit: float) -> None:
    lost = np.flatnonzero(edge < 0)
    if len(lost):
        ids = points.ids.iloc[lost].tolist()
        shown = ", ".join(map(repr, ids[:20])) + (" ..." if len(ids) > 20 else "")
        message = (
            f"{len(lost)} {name} are farther than max_snap_distance={limit:g} m from the {mode} "
            f"network and are unreachable: ids {shown}"
        )
        logger.warning(message)
        warnings.warn(message, ReachableWarning, stacklevel=4)


def _snapped_costs(network: Network, graph: StreetGraph, points: Points, *, mode, edge_seconds,
                   walk_speed, max_snap_distance, name):  # fmt: skip
    """Node pairs and entry/exit costs of points on ``graph``, for the kernel."""
    snapped = network.snap(mode, points.lon, points.lat, max_snap_distance=max_snap_distance)
    _warn_unsnapped(points, snapped.edge, name, mode, max_snap_distance)
    ok = snapped.edge >= 0
    local = np.where(ok, snapped.edge, 0)
    street_edge = graph.edge[local]
    seconds = edge_seconds[street_edge]
    f = snapped.fraction
    # Seconds along the edge from the point to u and to v (and back): inf where a one-way
    # edge forbids it, except at the very end, where no travel along the edge is needed.
    to_u = np.where(graph.edge_direction[local, 1], f * seconds, np.where(f == 0, 0.0, np.inf))
    to_v = np.where(graph.edge_direction[local, 0], (1 - f) * seconds, np.where(f == 1, 0.0, np.inf))
    from_u = np.where(graph.edge_direction[local, 0], f * seconds, np.where(f == 0, 0.0, np.inf))
    from_v = np.where(graph.edge_direction[local, 1], (1 - f) * seconds, np.where(f == 1, 0.0, np.inf))
    off_street = np.where(ok, snapped.distance / (walk_speed / 3.6), np.inf)
    node = np.where(ok[:, None], graph.edge_node[local], -1)
    enter = np.column_stack((off_street + to_u, off_street + to_v, off_street))
    leave = np.column_stack((from_u + off_street, from_v + off_street, off_street))
    along = np.column_stack((
        np.where(graph.edge_direction[local, 0] & ok, seconds, np.inf),
        np.where(graph.edge_direction[local, 1] & ok, seconds, np.inf),
    ))  # fmt: skip
    return node, enter, leave, np.where(ok, street_edge, -1), f, along


def travel_time_matrix(
    network: Network,
    origins,
    destinations=None,
    *,
    mode: str,
    max_time: float,
    walk_speed: float = DEFAULT_WALK_SPEED,
    bike_speed: float = DEFAULT_BIKE_SPEED,
    car_speed_factor: float = 1.0,
    max_snap_distance: float = DEFAULT_MAX_SNAP_DISTANCE,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Travel times from every origin to every destination by one street mode.

    Each point snaps to the nearest edge of the mode's street graph (its projection on the
    edge, not the nearest node). The straight line from the point to the street is walked at
    ``walk_speed``, and the search starts from both ends of the edge with the cost of the part
    of the edge travelled (one-way streets allowing). Two points on the same edge can be
    joined along it directly.

    Parameters
    ----------
    network : Network
    origins : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` column: a GeoDataFrame of Points in any CRS, or a DataFrame
        with ``id``, ``lon``, ``lat`` (WGS84 degrees).
    destinations : same as origins, optional
        Default: the origins.
    mode : {"walk", "bike", "moped", "car"}
    max_time : float
        Largest travel time of interest in minutes; longer trips are NaN.
    walk_speed : float, default 3.6
        Walking speed in km/h, also used for the walk between a point and its street.
    bike_speed : float, default 12.0
        Cycling speed in km/h.
    car_speed_factor : float, default 1.0
        Multiplies free-flow car speeds (1.0 = posted speeds, 0.6 = congested);
        mopeds go at min(45 km/h, car speed).
    max_snap_distance : float, default 1600
        Metres; points farther from the mode's streets are unreachable, with a warning.
    progress : bool, optional
        Show a progress bar; default only on an interactive terminal or notebook.

    Returns
    -------
    pandas.DataFrame
        Columns ``from_id``, ``to_id`` (the ids and dtypes given) and ``travel_time``
        (minutes, float64, rounded to the second, NaN when not reachable within
        ``max_time``), one row per pair, origins in the order given, destinations in the
        order given within each origin. A destination at the very place of its origin is 0.

    Raises
    ------
    UnknownModeError
        ``mode`` is unknown or the network was not built for it.
    InvalidParameterError
        ``max_time``, a speed or ``max_snap_distance`` is not a positive number.
    InvalidPointsError, CRSError
        Malformed origins or destinations (see :func:`reachable.points.as_points`).
    """
    graph = network.graph(mode)
    max_time = check_positive("max_time", max_time, unit="minutes")
    max_snap_distance = check_positive("max_snap_distance", max_snap_distance, unit="metres")
    check_speeds(walk_speed, bike_speed, car_speed_factor)
    origin_points = as_points(origins, "origins")
    destination_points = origin_points if destinations is None else as_points(destinations, "destinations")

    edge_seconds = network.edge_seconds(
        mode, walk_speed=walk_speed, bike_speed=bike_speed, car_speed_factor=car_speed_factor
    )
    weight = edge_seconds[graph.arc_edge]
    common = dict(
        mode=mode, edge_seconds=edge_seconds, walk_speed=walk_speed, max_snap_distance=max_snap_distance
    )
    o_node, o_cost, d_cost, o_edge, o_frac, o_along = _snapped_costs(
        network, graph, origin_points, name="origins", **common
    )
    d_node, d_edge, d_frac = o_node, o_edge, o_frac
    if destinations is not None:
        d_node, _, d_cost, d_edge, d_frac, _ = _snapped_costs(
            network, graph, destination_points, name="destinations", **common
        )
    cutoff = max_time * 60.0
    n_origins = len(origin_points)
    seconds = np.empty((n_origins, len(destination_points)))
    with progress_bar(n_origins, f"{mode} travel times", progress, unit="origin") as bar:
        for start in range(0, n_origins, ORIGINS_PER_CHUNK):
            rows = slice(start, min(start + ORIGINS_PER_CHUNK, n_origins))
            seconds[rows] = street_travel_times(
                graph.indptr, graph.head, weight, o_node[rows], o_cost[rows], o_edge[rows],
                o_frac[rows], o_along[rows], d_node, d_cost, d_edge, d_frac, cutoff,
                4 * numba.get_num_threads(),
            )  # fmt: skip
            bar.update(rows.stop - rows.start)
    seconds[_coincident(origin_points, destination_points)] = 0.0
    return _tidy(origin_points, destination_points, seconds)


def _coincident(origins: Points, destinations: Points) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of origin-destination pairs at the very same place."""
    left = pd.DataFrame({"lon": origins.lon, "lat": origins.lat, "row": np.arange(len(origins))})
    right = pd.DataFrame(
        {"lon": destinations.lon, "lat": destinations.lat, "col": np.arange(len(destinations))}
    )
    pairs = left.merge(right, on=["lon", "lat"])
    return pairs["row"].to_numpy(), pairs["col"].to_numpy()


def _tidy(origins: Points, destinations: Points, seconds: np.ndarray) -> pd.DataFrame:
    """The long frame ``from_id, to_id, travel_time`` (minutes, rounded to the second)."""
    minutes = np.where(np.isfinite(seconds), np.round(seconds) / 60.0, np.nan)
    n_o, n_d = seconds.shape
    return pd.DataFrame(
        {
            "from_id": origins.ids.take(np.repeat(np.arange(n_o), n_d)).reset_index(drop=True),
            "to_id": destinations.ids.take(np.tile(np.arange(n_d), n_o)).reset_index(drop=True),
            "travel_time": minutes.ravel(),
        }
    )
