"""Isochrones: the streets reached within each cutoff, as areas."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._progress import progress_bar
from .errors import InvalidParameterError
from .kernels import arc_coverage
from .kernels.raptor import UNREACHED
from .matrix import check_positive, routing_settings
from .network.network import Network
from .points import as_points
from .routing.street import SnappedCosts, snapped_costs
from .routing.transit import departure_labels, stop_costs, walk_pairs

DEFAULT_BUFFER = 100.0
"""Metres around reached streets counted as reached: a short walk off the street."""


def isochrones(
    network: Network,
    origins,
    *,
    mode: str,
    cutoffs: float | Sequence[float],
    departure=None,
    buffer: float = DEFAULT_BUFFER,
    progress: bool | None = None,
    **routing,
):
    """Areas reached from each origin within each cutoff, built from the streets reached.

    Every street edge travelled within the cutoff is kept, partly when the cutoff falls
    along it (cut where the time runs out), and the reached streets are widened by
    ``buffer`` metres. Places nobody reaches (a river, a rail yard, a park without paths)
    stay out: there is no convex hull. For ``transit`` the area is what is walked from the
    origin and from every stop reached by vehicle within the cutoff, each walk within
    ``max_walk_time``; the journey is the one of :func:`travel_time_matrix` for a single
    departure minute.

    Parameters
    ----------
    network : Network
    origins : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` column (see :func:`travel_time_matrix`).
    mode : {"walk", "bike", "moped", "car", "transit"}
    cutoffs : float or list of float
        Minutes.
    departure : datetime.datetime or str, required for ``transit``
    buffer : float, default 100
        Metres around the reached streets.
    progress : bool, optional
        Show a progress bar over origins; default only on an interactive terminal or notebook.
    **routing
        ``walk_speed``, ``bike_speed``, ``car_speed_factor``, ``max_walk_time``,
        ``max_transfers``, ``board_slack``, ``seed``, ``max_snap_distance`` as in
        :func:`travel_time_matrix`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id``, ``mode``, ``cutoff`` (minutes) and ``geometry`` (a (Multi)Polygon, empty
        when the origin is off the network), one row per origin and cutoff, in the origins'
        CRS (EPSG:4326 for a DataFrame of lon/lat).
    """
    import geopandas as gpd
    import shapely

    cutoff_values = sorted(
        check_positive("cutoffs", c, unit="minutes")
        for c in ([cutoffs] if isinstance(cutoffs, (int, float)) else list(cutoffs))
    )
    if not cutoff_values:
        raise InvalidParameterError("cutoffs is empty; give minutes, e.g. cutoffs=[15, 30, 45]")
    buffer = check_positive("buffer", buffer, unit="metres")
    points = as_points(origins, "origins")
    settings = routing_settings(network, mode, max_time=cutoff_values[-1], departure=departure, **routing)
    street_mode = "walk" if mode == "transit" else mode
    graph = network.graph(street_mode)
    edge_seconds = network.edge_seconds(
        street_mode, walk_speed=settings.walk_speed, bike_speed=settings.bike_speed,
        car_speed_factor=settings.car_speed_factor,
    )  # fmt: skip
    weight = edge_seconds[graph.arc_edge]

    def snap(lon, lat, ids, name):
        return snapped_costs(
            network, street_mode, lon, lat, edge_seconds=edge_seconds, walk_speed=settings.walk_speed,
            max_snap_distance=settings.max_snap_distance, ids=ids, name=name,
        )  # fmt: skip

    origin_costs = snap(points.lon, points.lat, points.ids, "origins")
    budgets = np.array(cutoff_values) * 60.0
    if settings.transit is not None:
        query = settings.transit
        stops = stop_costs(network, query)
        access = walk_pairs(network, weight, origin_costs, stops, query.max_walk)

    lines = network.edge_index(street_mode).lines
    rows = []
    bar = progress_bar(len(points), f"{mode} isochrones", progress, unit="origin")
    for i in range(len(points)):
        bar.update()
        sources = origin_costs[i : i + 1]
        source_budgets = budgets[None, :]
        if settings.transit is not None:
            source_budgets = np.minimum(source_budgets, query.max_walk)
            reach = slice(access[0][i], access[0][i + 1])
            start = int(query.departures[0])
            ride = departure_labels(network, query, access[1][reach], access[2][reach], start)[2][0][-1]
            reached = np.flatnonzero((ride < UNREACHED) & (stops.edge >= 0))
            arrived = (ride[reached] - start).astype(np.float64)
            sources = sources.concat(stops[reached])
            stop_budgets = np.minimum(budgets[None, :] - arrived[:, None], query.max_walk)
            source_budgets = np.vstack((source_budgets, stop_budgets))
        coverage = arc_coverage(
            graph.indptr, graph.head, weight, sources.node, sources.enter[:, :2], source_budgets
        )
        for b, cutoff in enumerate(cutoff_values):
            pieces = _reached_lines(graph, lines, coverage[:, b], sources, source_budgets[:, b])
            # Buffer each piece, then union: GEOS unions many small polygons far faster than it
            # buffers one large multi-line.
            area = shapely.union_all(shapely.buffer(np.asarray(pieces), buffer, quad_segs=4))
            rows.append({"id": points.ids.iloc[i], "mode": mode, "cutoff": cutoff, "geometry": area})
    bar.close()
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=network.crs)
    target = origins.crs if isinstance(origins, gpd.GeoDataFrame) else "EPSG:4326"
    return frame.to_crs(target)


def _reached_lines(graph, lines, coverage, sources: SnappedCosts, budgets) -> list:
    """Reached pieces of street, as metric LineStrings, for one cutoff."""
    import shapely
    from shapely.ops import substring

    pieces = []
    reached = np.flatnonzero(coverage > 0)
    local = np.searchsorted(graph.edge, graph.arc_edge[reached])
    full = coverage[reached] >= 1.0
    pieces.extend(lines[local[full]])
    for arc, k in zip(reached[~full], local[~full], strict=True):
        share = coverage[arc]
        start, end = (1 - share, 1.0) if graph.arc_reverse[arc] else (0.0, share)
        pieces.append(substring(lines[k], start, end, normalized=True))
    # Each source's own edge, from the source along the edge as far as its budget allows.
    for s in np.flatnonzero((sources.edge >= 0) & (budgets > sources.enter[:, 2])):
        k = np.searchsorted(graph.edge, sources.edge[s])
        left = budgets[s] - sources.enter[s, 2]
        f = sources.fraction[s]
        forward = min(1 - f, left / sources.along[s, 0]) if np.isfinite(sources.along[s, 0]) else 0.0
        backward = min(f, left / sources.along[s, 1]) if np.isfinite(sources.along[s, 1]) else 0.0
        if forward + backward > 0:
            pieces.append(substring(lines[k], f - backward, f + forward, normalized=True))
    return [piece for piece in pieces if not shapely.is_empty(piece) and piece.geom_type == "LineString"]
