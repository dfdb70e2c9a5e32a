"""Snap points to the nearest street edge a mode may use."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer

from .edges import StreetEdges
from .street import StreetGraph

DEFAULT_MAX_SNAP_DISTANCE = 1600.0
"""Metres; farther points are unreachable (R5's largest linking radius)."""

RECENT_POINT_SETS = 8
"""How many snapped point sets an index remembers. A service asks for the same destinations
(and every transit query for the same stops) again and again; GEOS's nearest-edge search
costs about 10 microseconds a point, far more than the search of one origin's row."""

RECENT_POINTS = 2_000_000
"""Points the remembered sets may hold together (24 bytes each): a country's grid is snapped
anew rather than kept."""


def utm_crs(lon: float, lat: float) -> CRS:
    """The UTM zone holding a WGS84 point: metres with distortion below 0.1 % nearby."""
    zone = int((lon + 180) // 6) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


@dataclass(frozen=True)
class SnappedPoints:
    """Where points meet a mode's street graph.

    Attributes
    ----------
    edge : ndarray of int64, shape (n_points,)
        Index into :attr:`StreetGraph.edge` of the nearest edge; -1 when farther than the
        snapping limit.
    fraction : ndarray of float64
        Position along the edge, 0 at its u end and 1 at its v end.
    distance : ndarray of float64
        Straight-line distance in metres from the point to the edge.
    """

    edge: np.ndarray
    fraction: np.ndarray
    distance: np.ndarray


class EdgeIndex:
    """A spatial index of a mode's edges in a metric CRS, built once per mode."""

    def __init__(self, edges: StreetEdges, graph: StreetGraph, crs: CRS) -> None:
        self._to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        starts = edges.geometry_offsets[graph.edge]
        counts = edges.geometry_offsets[graph.edge + 1] - starts
        positions = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        positions += np.arange(counts.sum())
        x, y = self._to_metric.transform(edges.geometry_lon[positions], edges.geometry_lat[positions])
        self.lines = shapely.linestrings(
            np.column_stack((x, y)), indices=np.repeat(np.arange(len(graph.edge)), counts)
        )
        self.tree = shapely.STRtree(self.lines)
        self._recent: OrderedDict[bytes, SnappedPoints] = OrderedDict()
        self._lock = threading.Lock()

    def snap(self, lon: np.ndarray, lat: np.ndarray, max_distance: float) -> SnappedPoints:
        """Snap WGS84 points to the nearest edge within ``max_distance`` metres.

        The answers for the last :data:`RECENT_POINT_SETS` point sets are kept (read-only),
        up to :data:`RECENT_POINTS` points in all.
        """
        lon = np.ascontiguousarray(lon, dtype=float)
        lat = np.ascontiguousarray(lat, dtype=float)
        digest = hashlib.blake2b(np.float64(max_distance).tobytes(), digest_size=20)
        digest.update(lon.tobytes())
        digest.update(lat.tobytes())
        key = digest.digest()
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        snapped = self._snap(lon, lat, max_distance)
        for values in (snapped.edge, snapped.fraction, snapped.distance):
            values.flags.writeable = False
        if len(lon) > RECENT_POINTS:
            return snapped
        with self._lock:
            self._recent[key] = snapped
            while (
                len(self._recent) > RECENT_POINT_SETS
                or sum(len(kept.edge) for kept in self._recent.values()) > RECENT_POINTS
            ):
                self._recent.popitem(last=False)
        return snapped

    def _snap(self, lon: np.ndarray, lat: np.ndarray, max_distance: float) -> SnappedPoints:
        x, y = self._to_metric.transform(lon, lat)
        points = shapely.points(x, y)
        # Searching without max_distance and filtering after is twice as fast in GEOS.
        (point_idx, line_idx), distance = self.tree.query_nearest(
            points, return_distance=True, all_matches=False
        )
        near = distance <= max_distance
        point_idx, line_idx, distance = point_idx[near], line_idx[near], distance[near]
        edge = np.full(len(points), -1, dtype=np.int64)
        fraction = np.zeros(len(points))
        dist = np.full(len(points), np.inf)
        edge[point_idx] = line_idx
        dist[point_idx] = distance
        fraction[point_idx] = shapely.line_locate_point(
            self.lines[line_idx], points[point_idx], normalized=True
        )
        # A zero-length edge has no direction: its fraction is NaN, any end will do.
        fraction = np.nan_to_num(fraction, nan=0.0)
        return SnappedPoints(edge=edge, fraction=fraction, distance=dist)
