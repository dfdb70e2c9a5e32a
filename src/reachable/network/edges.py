"""Street edges between intersections: the model every street mode is built from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..osm.reader import StreetWays

EARTH_RADIUS_M = 6_371_009.0
"""Mean earth radius in metres, as OSMnx uses for great-circle lengths."""


def great_circle_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle (haversine) distance in metres between WGS84 points, as OSMnx computes it."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


@dataclass(frozen=True)
class StreetEdges:
    """Street edges between intersection nodes, shared by all street modes.

    An edge is a piece of one way between two nodes where ways meet or end; the nodes in
    between only shape its geometry. Each mode uses the edges it may travel, in the
    directions it may travel them.

    Attributes
    ----------
    node_id : ndarray of int64, shape (n_nodes,)
        OSM id of each intersection node.
    node_lon, node_lat : ndarray of float64, shape (n_nodes,)
    u, v : ndarray of int64, shape (n_edges,)
        First and last node of each edge (indices into the node arrays), in way order.
    length : ndarray of float64, shape (n_edges,)
        Great-circle length in metres along the geometry.
    car_speed : ndarray of float64, shape (n_edges,)
        Free-flow car speed in km/h.
    way_id : ndarray of int64, shape (n_edges,)
    highway : ndarray of str, shape (n_edges,)
    directions : ndarray of bool, shape (n_edges, n_modes, 2)
        Whether each mode may travel u -> v (``[..., 0]``) and v -> u (``[..., 1]``).
    geometry_offsets : ndarray of int64, shape (n_edges + 1,)
    geometry_lon, geometry_lat : ndarray of float64
        Edge ``e``'s polyline is ``geometry_*[geometry_offsets[e]:geometry_offsets[e + 1]]``,
        from u to v.
    modes : tuple of str
    """

    node_id: np.ndarray
    node_lon: np.ndarray
    node_lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    car_speed: np.ndarray
    way_id: np.ndarray
    highway: np.ndarray
    directions: np.ndarray
    geometry_offsets: np.ndarray
    geometry_lon: np.ndarray
    geometry_lat: np.ndarray
    modes: tuple[str, ...]

    @property
    def n_edges(self) -> int:
        """Number of street edges."""
        return len(self.u)


def split_ways(ways: StreetWays) -> StreetEdges:
    """Split ways at the nodes where they meet other ways (or themselves) and at their ends."""
    n_positions = len(ways.node_ref)
    way_of_position = np.repeat(np.arange(len(ways.way_id)), np.diff(ways.way_offsets))
    is_first = np.zeros(n_positions, dtype=bool)
    is_first[ways.way_offsets[:-1]] = True
    is_last = np.zeros(n_positions, dtype=bool)
    is_last[ways.way_offsets[1:] - 1] = True

    _, node_of_position, use_count = np.unique(ways.node_ref, return_inverse=True, return_counts=True)
    is_split = is_first | is_last | (use_count[node_of_position] > 1)

    # Segment p joins positions p and p + 1 of the same way; edge starts are the split
    # positions that still have a segment after them.
    segment = ~is_last
    starts_edge = is_split & segment
    edge_of_position = np.cumsum(starts_edge) - 1
    segment_length = np.zeros(n_positions)
    segment_idx = np.flatnonzero(segment)
    segment_length[segment_idx] = great_circle_m(
        ways.lon[segment_idx], ways.lat[segment_idx], ways.lon[segment_idx + 1], ways.lat[segment_idx + 1]
    )
    n_edges = int(starts_edge.sum())
    length = np.bincount(
        edge_of_position[segment_idx], weights=segment_length[segment_idx], minlength=n_edges
    )
    edge_start = np.flatnonzero(starts_edge)
    edge_n_segments = np.bincount(edge_of_position[segment_idx], minlength=n_edges)
    edge_end = edge_start + edge_n_segments

    split_refs = ways.node_ref[is_split]
    node_id, first_seen = np.unique(split_refs, return_index=True)
    split_positions = np.flatnonzero(is_split)[first_seen]
    u = np.searchsorted(node_id, ways.node_ref[edge_start])
    v = np.searchsorted(node_id, ways.node_ref[edge_end])

    n_points = edge_n_segments + 1
    geometry_offsets = np.concatenate(([0], np.cumsum(n_points))).astype(np.int64)
    point_position = np.repeat(edge_start - geometry_offsets[:-1], n_points) + np.arange(geometry_offsets[-1])
    edge_way = way_of_position[edge_start]
    return StreetEdges(
        node_id=node_id,
        node_lon=ways.lon[split_positions],
        node_lat=ways.lat[split_positions],
        u=u.astype(np.int64),
        v=v.astype(np.int64),
        length=length,
        car_speed=ways.car_speed[edge_way],
        way_id=ways.way_id[edge_way],
        highway=ways.highway[edge_way],
        directions=ways.directions[edge_way],
        geometry_offsets=geometry_offsets,
        geometry_lon=ways.lon[point_position],
        geometry_lat=ways.lat[point_position],
        modes=ways.modes,
    )
