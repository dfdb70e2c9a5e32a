"""Street searches between snapped points, as dense blocks, sparse pairs or sums of opportunities."""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numba
import numpy as np

from ..cutoffs import search_reach
from ..errors import InvalidPointsError, ReachableWarning
from ..kernels import street_opportunities_within, street_pairs_within, street_travel_times
from ..network.network import Network
from ..network.snapping import SnappedPoints
from ..network.street import arc_seconds
from ..points import Points
from .csr import offsets_of

logger = logging.getLogger("reachable")

ORIGINS_PER_CHUNK = 2000
"""Most origins routed per kernel call (see :func:`origins_per_chunk`)."""

PAIRS_PER_CHUNK = 16_000_000
"""Most origin x destination results of one kernel call: 128 MB of seconds, whatever the
number of destinations (2,000 origins to the million cells of a country would be 16 GB)."""


def origins_per_chunk(n_destinations: int) -> int:
    """How many origins one dense street kernel call routes to ``n_destinations``."""
    return max(1, min(ORIGINS_PER_CHUNK, PAIRS_PER_CHUNK // max(1, n_destinations)))


@dataclass(frozen=True)
class SnappedCosts:
    """Where points join a mode's graph and what it costs, in the kernels' terms.

    Attributes
    ----------
    node : ndarray of int64, shape (n, 2)
        Graph nodes at the u and v ends of each point's edge (-1 when not snapped).
    enter, leave : ndarray of float64, shape (n, 3)
        Seconds from the point to u and to v, and from u and v to the point (``inf`` where
        a one-way edge forbids it), then the walk between the point and its street alone.
    edge : ndarray of int64, shape (n,)
        The street edge (-1 when not snapped).
    fraction : ndarray of float64, shape (n,)
        Position along the edge, 0 at u and 1 at v.
    along : ndarray of float64, shape (n, 2)
        Seconds along the whole edge u -> v and v -> u (``inf`` where forbidden).
    """

    node: np.ndarray
    enter: np.ndarray
    leave: np.ndarray
    edge: np.ndarray
    fraction: np.ndarray
    along: np.ndarray

    def __getitem__(self, rows) -> SnappedCosts:
        return SnappedCosts(*(getattr(self, name)[rows] for name in self.__dataclass_fields__))

    def __len__(self) -> int:
        return len(self.edge)

    def concat(self, other: SnappedCosts) -> SnappedCosts:
        """These points followed by ``other``'s."""
        fields = self.__dataclass_fields__
        return SnappedCosts(*(np.concatenate((getattr(self, name), getattr(other, name))) for name in fields))


MOST = 0.5
"""Share of a set of points off the network above which it is refused, not warned about."""

_gathered: ContextVar[list | None] = ContextVar("unsnapped points", default=None)
_refusing: ContextVar[bool] = ContextVar("refusing points mostly off a network", default=True)


@contextmanager
def mostly_off_allowed():
    """Within this block, sets of points mostly off a mode's network are warned about, not refused.

    For callers that have checked the points once already and route them by modes that
    reach only some (a diagnosis: offers on a cycle path are off the car network).
    """
    token = _refusing.set(False)
    try:
        yield
    finally:
        _refusing.reset(token)


@contextmanager
def one_warning_per_point_set(network: Network):
    """Gather the warnings about points off the network, then give one per set of points.

    The same origins missing from several modes' graphs, or serving as both origins and
    destinations, make one warning naming the roles and the modes; a warning already given on
    this network is not given again.
    """
    records: list = []
    token = _gathered.set(records)
    try:
        yield
    finally:
        _gathered.reset(token)
        _emit(network, records)


def warns_once_per_point_set(function):
    """Decorate a public function whose first argument is the network (see above)."""

    @functools.wraps(function)
    def wrapper(network, *args, **kwargs):
        with one_warning_per_point_set(network):
            return function(network, *args, **kwargs)

    return wrapper


def _emit(network: Network, records: list) -> None:
    given = network.query_cache.setdefault(("warned",), set())
    groups: dict = {}
    for name, mode, lost_ids, limit in records:
        names, modes = groups.setdefault((lost_ids, limit), ({}, {}))
        names[name], modes[mode] = True, True
    for (lost_ids, limit), (names, modes) in groups.items():
        shown = ", ".join(map(repr, lost_ids[:20])) + (" ..." if len(lost_ids) > 20 else "")
        *others, last = modes
        mode_list = f"{', '.join(others)} and {last}" if others else last
        message = (
            f"{len(lost_ids)} {' and '.join(names)} are farther than max_snap_distance={limit:g} m from the "
            f"{mode_list} network{'s' if len(modes) > 1 else ''} and are unreachable: ids {shown}"
        )
        if message not in given:
            given.add(message)
            logger.warning(message)
            warnings.warn(message, ReachableWarning, stacklevel=4)


def _check_unsnapped(network: Network, mode: str, lon, lat, edge, *, ids, name: str, limit: float) -> None:
    """Refuse a set of points mostly off the network (swapped coordinates?), else note the lost ones."""
    lost = edge < 0
    if not lost.any():
        return
    n_lost, n = int(lost.sum()), len(edge)
    if n_lost > MOST * n and _refusing.get():
        swapped = network.snap(mode, lat, lon, max_snap_distance=limit).edge >= 0
        if swapped.mean() > MOST:
            raise InvalidPointsError(
                f"{n_lost} of the {n} {name} are farther than max_snap_distance={limit:g} m from the {mode} "
                "network, but most would lie on it with longitude and latitude swapped: give lon first "
                "(x=lon, y=lat in points_from_xy)"
            )
        if n >= 3:
            nodes = network.edges
            raise InvalidPointsError(
                f"{n_lost} of the {n} {name} are farther than max_snap_distance={limit:g} m from the {mode} "
                f"network, whose streets span lon {nodes.node_lon.min():.4f} to {nodes.node_lon.max():.4f}, "
                f"lat {nodes.node_lat.min():.4f} to {nodes.node_lat.max():.4f}: check their coordinates "
                "and CRS, or build the network from an extract that covers them"
            )
    record = (name, mode, tuple(np.asarray(ids)[lost].tolist()), limit)
    gathered = _gathered.get()
    if gathered is None:
        _emit(network, [record])
    else:
        gathered.append(record)


def check_points(network: Network, mode: str, lon, lat, *, ids, name: str, limit: float) -> None:
    """Refuse a set of points mostly off ``mode``'s network, and warn about the others off it."""
    _check_unsnapped(network, mode, lon, lat, network.snap(mode, lon, lat, max_snap_distance=limit).edge,
                     ids=ids, name=name, limit=limit)  # fmt: skip


def street_search(network: Network, mode: str, speeds: dict, *, walk_speed: float, max_snap_distance: float):
    """Arc weights of ``mode``'s graph at ``speeds``, and a function snapping points to it.

    The weights are kept on the network for the next query at the same speeds.

    ``snap(points, name)`` prices the way on and off the streets (:func:`snapped_costs`);
    with a ``name`` (``"origins"``...), points off the network are warned about by id.
    """
    key = ("street weights", mode, tuple(sorted(speeds.items())))
    if key not in network.query_cache:
        edge_seconds = network.edge_seconds(mode, **speeds)
        network.query_cache[key] = (edge_seconds, arc_seconds(network.graph(mode), edge_seconds))
    edge_seconds, weight = network.query_cache[key]

    def snap(points: Points, name: str | None = None) -> SnappedCosts:
        return snapped_costs(
            network, mode, points.lon, points.lat, edge_seconds=edge_seconds, walk_speed=walk_speed,
            max_snap_distance=max_snap_distance, ids=None if name is None else points.ids, name=name or "",
        )  # fmt: skip

    return weight, snap


def snapped_costs(
    network: Network,
    mode: str,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    edge_seconds: np.ndarray,
    walk_speed: float,
    max_snap_distance: float,
    ids=None,
    name: str = "points",
) -> SnappedCosts:
    """Snap points to ``mode``'s graph and price the way on and off it.

    Parameters
    ----------
    network : Network
    mode : str
    lon, lat : ndarray
        WGS84 degrees.
    edge_seconds : ndarray, shape (n_edges, 2)
        Seconds ``mode`` takes along each street edge, u -> v and v -> u.
    walk_speed : float
        km/h, for the walk between a point and its street.
    max_snap_distance : float
        Metres; farther points are unreachable, with a warning naming ``ids`` when given.
    ids, name :
        For the warning; with ``ids``, a set of points mostly off the network is refused.

    Raises
    ------
    InvalidPointsError
        More than half of the points (with ``ids``) are off the network: the message says
        whether longitude and latitude look swapped.
    """
    snapped = network.snap(mode, lon, lat, max_snap_distance=max_snap_distance)
    if ids is not None:
        _check_unsnapped(network, mode, lon, lat, snapped.edge, ids=ids, name=name, limit=max_snap_distance)
    return position_costs(network, mode, snapped, edge_seconds=edge_seconds, walk_speed=walk_speed)


def position_costs(
    network: Network, mode: str, snapped: SnappedPoints, *, edge_seconds: np.ndarray, walk_speed: float
) -> SnappedCosts:
    """Price the way on and off ``mode``'s graph of points already snapped to it.

    Parameters
    ----------
    network : Network
    mode : str
    snapped : SnappedPoints
        Each point's edge (-1 when not snapped), position along it and distance from it in
        metres (0 for a place on the street itself).
    edge_seconds : ndarray, shape (n_edges, 2)
        Seconds ``mode`` takes along each street edge, u -> v and v -> u.
    walk_speed : float
        km/h, for the walk between a point and its street.
    """
    graph = network.graph(mode)
    ok = snapped.edge >= 0
    local = np.where(ok, snapped.edge, 0)
    street_edge = graph.edge[local]
    u_to_v, v_to_u = edge_seconds[street_edge].T
    forward = graph.edge_direction[local, 0] & ok
    backward = graph.edge_direction[local, 1] & ok
    f = snapped.fraction
    # Seconds along the edge from the point to u and to v (and back): inf where a one-way
    # edge forbids it, except at the very end, where no travel along the edge is needed.
    # Part of an edge takes its share of the edge's time in that direction: its slope is
    # averaged over the edge.
    to_u = np.where(backward, f * v_to_u, np.where(f == 0, 0.0, np.inf))
    to_v = np.where(forward, (1 - f) * u_to_v, np.where(f == 1, 0.0, np.inf))
    from_u = np.where(forward, f * u_to_v, np.where(f == 0, 0.0, np.inf))
    from_v = np.where(backward, (1 - f) * v_to_u, np.where(f == 1, 0.0, np.inf))
    off_street = np.where(ok, snapped.distance / (walk_speed / 3.6), np.inf)
    # Every array fresh and writable, the fraction too (the snapper keeps its own read-only):
    # numba compiles a kernel again for a read-only argument.
    return SnappedCosts(
        node=np.where(ok[:, None], graph.edge_node[local], -1),
        enter=np.column_stack((off_street + to_u, off_street + to_v, off_street)),
        leave=np.column_stack((from_u + off_street, from_v + off_street, off_street)),
        edge=np.where(ok, street_edge, -1),
        fraction=np.array(f),
        along=np.column_stack((np.where(forward, u_to_v, np.inf), np.where(backward, v_to_u, np.inf))),
    )


def street_seconds(
    network: Network,
    mode: str,
    weight: np.ndarray,
    origins: SnappedCosts,
    destinations: SnappedCosts,
    cutoff: float,
) -> np.ndarray:
    """Dense seconds from ``origins`` to ``destinations`` (``inf`` beyond ``cutoff``)."""
    graph = network.graph(mode)
    return street_travel_times(
        graph.indptr,
        graph.head,
        weight,
        origins.node,
        origins.enter,
        origins.edge,
        origins.fraction,
        origins.along,
        destinations.node,
        destinations.leave,
        destinations.edge,
        destinations.fraction,
        cutoff,
        4 * numba.get_num_threads(),
    )


def street_pairs(
    network: Network,
    mode: str,
    weight: np.ndarray,
    origins: SnappedCosts,
    destinations: SnappedCosts,
    cutoff: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse street times within ``cutoff``: CSR ``(offsets, destination, seconds)`` per origin.

    Time and memory grow with what each search reaches, not with the number of destinations
    (see :func:`reachable.kernels.dijkstra.street_pairs_within`).
    """
    graph = network.graph(mode)
    return street_pairs_within(
        graph.indptr, graph.head, weight, origins.node, origins.enter, origins.edge, origins.fraction,
        origins.along, destinations.node, destinations.leave, destinations.edge, destinations.fraction,
        cutoff, 4 * numba.get_num_threads(),
    )  # fmt: skip


def street_opportunities(
    network: Network,
    mode: str,
    weight: np.ndarray,
    origins: SnappedCosts,
    destinations: SnappedCosts,
    counts: np.ndarray,
    *,
    limits: Sequence[int],
    same: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Opportunities reached within each limit, (limit, origin, column), without a dense block.

    ``limits`` are whole seconds (:func:`reachable.cutoffs.last_second`), ``same`` the (row,
    column) pairs of places that coincide (see
    :func:`reachable.kernels.dijkstra.street_opportunities_within`).
    """
    graph = network.graph(mode)
    same_row, same_column = same
    order = np.argsort(same_row, kind="stable")
    return street_opportunities_within(
        graph.indptr, graph.head, weight, origins.node, origins.enter, origins.edge, origins.fraction,
        origins.along, destinations.node, destinations.leave, destinations.edge, destinations.fraction,
        search_reach(max(limits)), np.asarray(limits, dtype=np.float64),
        np.ascontiguousarray(counts, dtype=float), offsets_of(same_row, len(origins)),
        np.ascontiguousarray(same_column[order], dtype=np.int64), 4 * numba.get_num_threads(),
    )  # fmt: skip


def coincident(origins: Points, destinations: Points) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of origin-destination pairs at the very same place."""
    import pandas as pd

    left = pd.DataFrame({"lon": origins.lon, "lat": origins.lat, "row": np.arange(len(origins))})
    right = pd.DataFrame(
        {"lon": destinations.lon, "lat": destinations.lat, "col": np.arange(len(destinations))}
    )
    pairs = left.merge(right, on=["lon", "lat"])
    return pairs["row"].to_numpy(), pairs["col"].to_numpy()
