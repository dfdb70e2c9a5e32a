"""One street graph per mode: the arcs a mode may travel, as CSR arrays for the kernels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import InvalidParameterError
from ..modes import DEFAULT_BIKE_SPEED, DEFAULT_EBIKE_SPEED, DEFAULT_WALK_SPEED, EBIKE, MOPED_MAX_SPEED
from .edges import StreetEdges


@dataclass(frozen=True)
class StreetGraph:
    """The largest strongly connected street graph of one mode.

    Attributes
    ----------
    mode : str
    node : ndarray of int64, shape (n_nodes,)
        Index into :attr:`StreetEdges.node_id` of each graph node.
    indptr : ndarray of int64, shape (n_nodes + 1,)
    head : ndarray of int64, shape (n_arcs,)
        CSR adjacency: arcs ``indptr[i]:indptr[i + 1]`` leave node ``i`` towards ``head``.
    arc_edge : ndarray of int64, shape (n_arcs,)
        The street edge each arc travels.
    arc_reverse : ndarray of bool, shape (n_arcs,)
        True where the arc travels its edge from v to u.
    edge : ndarray of int64, shape (n_edges,)
        Street edges this mode uses (in at least one direction): the targets of snapping.
    edge_node : ndarray of int64, shape (n_edges, 2)
        Graph nodes at the u and v ends of each of those edges.
    edge_direction : ndarray of bool, shape (n_edges, 2)
        Whether the mode may travel each edge u -> v and v -> u.
    """

    mode: str
    node: np.ndarray
    indptr: np.ndarray
    head: np.ndarray
    arc_edge: np.ndarray
    arc_reverse: np.ndarray
    edge: np.ndarray
    edge_node: np.ndarray
    edge_direction: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of graph nodes."""
        return len(self.node)

    @property
    def n_arcs(self) -> int:
        """Number of arcs (one per edge and direction travelled)."""
        return len(self.head)


def build_street_graph(edges: StreetEdges, mode: str) -> StreetGraph:
    """Keep the arcs of ``mode`` inside its largest strongly connected component, as R5 does."""
    m = edges.modes.index(mode)
    forward = edges.directions[:, m, 0]
    backward = edges.directions[:, m, 1]
    arc_edge = np.concatenate((np.flatnonzero(forward), np.flatnonzero(backward)))
    arc_reverse = np.concatenate((np.zeros(forward.sum(), bool), np.ones(backward.sum(), bool)))
    tail = np.where(arc_reverse, edges.v[arc_edge], edges.u[arc_edge])
    head = np.where(arc_reverse, edges.u[arc_edge], edges.v[arc_edge])

    n_all = len(edges.node_id)
    adjacency = coo_matrix((np.ones(len(tail)), (tail, head)), shape=(n_all, n_all)).tocsr()
    _, label = connected_components(adjacency, directed=True, connection="strong")
    used = np.zeros(n_all, dtype=bool)
    used[tail] = True
    used[head] = True
    sizes = np.bincount(label[used], minlength=label.max() + 1)
    in_component = label == np.argmax(sizes)

    keep = in_component[tail] & in_component[head]
    arc_edge, arc_reverse, tail, head = arc_edge[keep], arc_reverse[keep], tail[keep], head[keep]
    node = np.flatnonzero(in_component)
    local = np.full(n_all, -1, dtype=np.int64)
    local[node] = np.arange(len(node))
    tail, head = local[tail], local[head]

    order = np.lexsort((head, tail))
    arc_edge, arc_reverse, tail, head = arc_edge[order], arc_reverse[order], tail[order], head[order]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(tail, minlength=len(node))))).astype(np.int64)

    # Marked per edge, not np.unique'd: numpy's hash-based unique (2.3 and later) takes ten times
    # longer on the edges of a region.
    travelled = np.zeros((edges.n_edges, 2), dtype=bool)
    travelled[arc_edge, arc_reverse.astype(np.int64)] = True
    edge = np.flatnonzero(travelled.any(axis=1))
    edge_direction = travelled[edge]
    edge_node = np.column_stack((local[edges.u[edge]], local[edges.v[edge]]))
    return StreetGraph(
        mode=mode,
        node=node,
        indptr=indptr,
        head=head.astype(np.int64),
        arc_edge=arc_edge,
        arc_reverse=arc_reverse,
        edge=edge,
        edge_node=edge_node,
        edge_direction=edge_direction,
    )


def check_speeds(
    walk_speed: float, bike_speed: float, car_speed_factor: float, ebike_speed: float = DEFAULT_EBIKE_SPEED
) -> None:
    """Raise :class:`InvalidParameterError` unless every speed is a positive finite number."""
    for name, value in (
        ("walk_speed", walk_speed),
        ("bike_speed", bike_speed),
        ("ebike_speed", ebike_speed),
        ("car_speed_factor", car_speed_factor),
    ):
        if not (isinstance(value, (int, float, np.number)) and np.isfinite(value) and value > 0):
            raise InvalidParameterError(f"{name} must be a positive number, got {value!r}")


def edge_speed_kph(
    edges: StreetEdges,
    mode: str,
    *,
    walk_speed: float = DEFAULT_WALK_SPEED,
    bike_speed: float = DEFAULT_BIKE_SPEED,
    ebike_speed: float = DEFAULT_EBIKE_SPEED,
    car_speed_factor: float = 1.0,
) -> np.ndarray:
    """Speed in km/h of ``mode`` on every street edge.

    Parameters
    ----------
    edges : StreetEdges
    mode : {"walk", "bike", "ebike", "moped", "car"}
    walk_speed, bike_speed, ebike_speed : float
        Walking, cycling and pedelec speeds in km/h.
    car_speed_factor : float
        Multiplies free-flow car speeds (1.0 = posted speeds); mopeds go at
        ``min(45, car speed)``.

    Returns
    -------
    ndarray of float64, shape (n_edges,)
    """
    check_speeds(walk_speed, bike_speed, car_speed_factor, ebike_speed)
    if mode == "walk":
        return np.full(edges.n_edges, float(walk_speed))
    if mode == "bike":
        return np.full(edges.n_edges, float(bike_speed))
    if mode == EBIKE:
        return np.full(edges.n_edges, float(ebike_speed))
    car = edges.car_speed * car_speed_factor
    return np.minimum(car, MOPED_MAX_SPEED) if mode == "moped" else car


def arc_seconds(graph: StreetGraph, edge_seconds: np.ndarray) -> np.ndarray:
    """Travel time in seconds of each arc of ``graph``.

    Parameters
    ----------
    graph : StreetGraph
    edge_seconds : ndarray of float64, shape (n_edges, 2)
        Seconds along each street edge u -> v and v -> u (:meth:`Network.edge_seconds`).

    Returns
    -------
    ndarray of float64, shape (n_arcs,)
    """
    return edge_seconds[graph.arc_edge, graph.arc_reverse.astype(np.int64)]


def reversed_arcs(graph: StreetGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The graph with every arc turned round, as CSR ``(indptr, head, arc)``.

    ``arc`` is each reversed arc's index in ``graph``, to take its weight: a search on the
    reversed graph from a place finds the times from every node to it.
    """
    tail = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
    arc = np.argsort(graph.head, kind="stable")
    indptr = np.concatenate(([0], np.cumsum(np.bincount(graph.head, minlength=graph.n_nodes)))).astype(
        np.int64
    )
    return indptr, tail[arc], arc
