"""Isochrones: the places reached within each cutoff, as areas."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import cutoff_minutes
from ._progress import progress_bar
from .cluster import check_client, chunks, run
from .cutoffs import search_limit, search_reach
from .errors import InvalidParameterError
from .kernels import budget_left
from .kernels.raptor import UNREACHED
from .matrix import routing_settings
from .network.cells import StreetCells
from .network.network import Network
from .network.snapping import SnappedPoints
from .network.street import StreetGraph, arc_seconds
from .points import as_points
from .routing.street import SnappedCosts, position_costs, snapped_costs, warns_once_per_point_set
from .routing.transit import access_search, departure_labels, stop_costs

DISC_QUAD_SEGMENTS = 8
"""Segments per quarter circle of the discs cut out of street cells."""

MIN_WIDTH = 0.01
"""Metres: thinner pieces of area are dropped (degenerate polygons upset GEOS)."""

PRECISION = 0.01
"""Metres: the grid isochrone vertices are rounded to."""

ORIGIN_RADIUS = 1.0
"""Metres around an origin always in its isochrones: the origin itself."""

SINGLE_DEPARTURE_ONLY = ("time_window", "percentiles", "frequency_draws")
"""Options of travel_time_matrix that isochrones, drawn for one departure, cannot honour."""


ISOCHRONES_PER_TASK = 16
"""Origins per task on a cluster: an isochrone takes about half a second."""


@warns_once_per_point_set
def isochrones(
    network: Network,
    origins,
    *,
    mode: str,
    cutoffs,
    departure=None,
    progress: bool | None = None,
    client=None,
    **routing,
):
    """Areas holding the places reached from each origin within each cutoff.

    An isochrone holds every place that :func:`travel_time_matrix` reaches within the cutoff
    and, up to a few metres, nothing else: a place belongs to it when the street position it
    snaps to (the nearest point of the nearest street of the mode) is reached early enough to
    walk the rest in time, at ``walk_speed`` and at most ``max_snap_distance``. Places across
    a river, a rail yard or a fenced park are left out even when they are close as the crow
    flies, because they snap to another street. The areas are unions of the Voronoi cells of
    points every 10 m along the streets (:mod:`reachable.network.cells`), cut by the walk
    left.

    For ``transit`` the journey is the one of :func:`travel_time_matrix` for a single
    departure minute: walks of at most ``max_walk_time`` from the origin and from every stop
    reached by vehicle; frequency-based services take the first draw of ``seed``. Combined
    modes (``"bike+transit"``...) hold the places walked to from the stops their rides reach.

    Parameters
    ----------
    network : Network
    origins : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` column (see :func:`travel_time_matrix`).
    mode : str
        A street mode, ``"transit"`` or a combined mode such as ``"bike+transit"``.
    cutoffs : float or list of float
        Minutes.
    departure : datetime.datetime or str, required for ``transit``
    progress : bool, optional
        Show a progress bar over origins; default only on an interactive terminal or notebook.
    client : distributed.Client, optional
        Draw chunks of origins on a Dask cluster (see :mod:`reachable.cluster`).
    **routing
        ``walk_speed``, ``bike_speed``, ``ebike_speed``, ``car_speed_factor``,
        ``access_mode``, ``max_access_time``, ``park_and_ride``, ``max_walk_time``,
        ``max_transfers``, ``board_slack``, ``seed``, ``max_snap_distance`` as in
        :func:`travel_time_matrix`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id``, ``mode``, ``cutoff`` (minutes) and ``geometry`` (a (Multi)Polygon; only a
        1 m disc around the origin when it is off the network), one row per origin and
        cutoff, in the origins' CRS (EPSG:4326 for a DataFrame of lon/lat).

    Raises
    ------
    InvalidParameterError
        Cutoffs that are not positive numbers of minutes; ``time_window``, ``percentiles``
        or ``frequency_draws`` (an isochrone is for one departure); and the routing errors of
        :func:`travel_time_matrix`.
    """
    import geopandas as gpd
    import shapely

    cutoff_values = sorted(cutoff_minutes(cutoffs))
    if "arrival" in routing:
        raise InvalidParameterError(
            "isochrones are drawn forward from a departure; for arrive-by times use "
            "travel_time_matrix(arrival=...)"
        )
    refused = [name for name in SINGLE_DEPARTURE_ONLY if name in routing]
    if refused:
        raise InvalidParameterError(
            f"isochrones are drawn for one departure minute: {', '.join(refused)} do not apply; "
            "for travel times over a window use travel_time_matrix"
        )
    points = as_points(origins, "origins")
    if client is not None:
        check_client(client)
        routing_settings(
            network, mode, max_time=cutoff_values[-1], departure=departure, **routing
        )  # checked here
        pieces = chunks(origins, ISOCHRONES_PER_TASK, client=client)
        options = dict(mode=mode, cutoffs=cutoff_values, departure=departure, **routing)
        frames = run(isochrones, network, pieces, client=client, progress=progress,
                     what=f"{mode} isochrones", options=options)  # fmt: skip
        return pd.concat(frames, ignore_index=True)
    settings = routing_settings(network, mode, max_time=cutoff_values[-1], departure=departure, **routing)
    query = settings.transit
    walking = _layer(network, "walk" if query is not None else mode, settings)
    origin_costs = snapped_costs(
        network, walking.mode, points.lon, points.lat, edge_seconds=walking.edge_seconds,
        walk_speed=settings.walk_speed, max_snap_distance=settings.max_snap_distance, ids=points.ids,
        name="origins",
    )  # fmt: skip
    # Whole seconds within each cutoff, and the half second a trip is rounded by.
    budgets = np.array([search_limit(c) for c in cutoff_values])
    if query is not None:
        stops = stop_costs(network, query)
        access = access_search(network, points, points, query)
        start = int(query.departures[0])

    # A place at the very origin is reached at once, even off the network (as in the matrix).
    at_origin = gpd.GeoSeries(gpd.points_from_xy(points.lon, points.lat), crs="EPSG:4326").to_crs(network.crs)
    at_origin = shapely.buffer(at_origin.to_numpy(), ORIGIN_RADIUS)
    rows = []
    with progress_bar(len(points), f"{mode} isochrones", progress, unit="origin") as bar:
        for i in range(len(points)):
            sources, source_budgets = origin_costs[i : i + 1], budgets[None, :]
            if query is not None:
                # Walks of at most max_walk_time from each stop reached by a ride, with the time
                # the ride leaves; and from the origin, for walkers (combined trips all ride).
                (_, access_stop, access_time), _ = access.pairs(network, slice(i, i + 1), len(stops))
                ride = departure_labels(network, query, access_stop, access_time, start)[2][0][-1]
                reached = np.flatnonzero((ride < UNREACHED) & (stops.edge >= 0))
                setoff = ride[reached] - start
                if query.access is None:
                    sources, setoff = sources.concat(stops[reached]), np.concatenate(([0], setoff))
                else:
                    sources = stops[reached]
                source_budgets = np.minimum(budgets[None, :] - setoff[:, None], search_reach(query.max_walk))
            walked = walking.areas(sources, source_budgets, settings)
            for b, cutoff in enumerate(cutoff_values):
                area = shapely.union(at_origin[i], walked[b])
                rows.append({"id": points.ids.iloc[i], "mode": mode, "cutoff": cutoff, "geometry": area})
            bar.update()
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=network.crs)
    target = origins.crs if isinstance(origins, gpd.GeoDataFrame) else "EPSG:4326"
    return frame.to_crs(target)


@dataclass(frozen=True)
class _Layer:
    """One mode's streets, ready to tell which places a search reaches."""

    mode: str
    graph: StreetGraph
    edge_seconds: np.ndarray
    weight: np.ndarray
    cells: StreetCells
    positions: SnappedCosts

    def areas(self, sources: SnappedCosts, budgets: np.ndarray, settings) -> list:
        """Per budget (column of ``budgets``), the places reached from ``sources`` (one row each)."""
        import shapely

        if len(sources) == 0:
            return [shapely.Polygon()] * budgets.shape[1]
        left = _seconds_left(self.graph, self.weight, sources, budgets, self.positions)
        return [
            _reached_area(
                self.cells, left[:, b], walk_speed=settings.walk_speed, cap=settings.max_snap_distance
            )
            for b in range(budgets.shape[1])
        ]


def _layer(network: Network, mode: str, settings) -> _Layer:
    graph = network.graph(mode)
    edge_seconds = network.edge_seconds(mode, **settings.speeds)
    cells = network.street_cells(mode)
    on_street = SnappedPoints(edge=cells.edge, fraction=cells.fraction, distance=np.zeros(len(cells.edge)))
    positions = position_costs(
        network, mode, on_street, edge_seconds=edge_seconds, walk_speed=settings.walk_speed
    )
    return _Layer(mode, graph, edge_seconds, arc_seconds(graph, edge_seconds), cells, positions)


def _seconds_left(graph, weight, sources: SnappedCosts, budgets: np.ndarray, positions: SnappedCosts):
    """Seconds left at every street position, for each budget (see :func:`budget_left`)."""
    return budget_left(
        graph.indptr, graph.head, weight, sources.node, sources.enter, sources.edge, sources.fraction,
        sources.along, budgets, positions.node, positions.leave, positions.edge, positions.fraction,
    )  # fmt: skip


def _reached_area(cells: StreetCells, left: np.ndarray, *, walk_speed: float, cap: float):
    """The places whose street position leaves time to walk to them, cell by cell.

    Between two samples that follow each other along a street, the walk left changes
    linearly, so the places that project onto that piece of street and are close enough to
    it form a trapezoid; around a sample where the street bends or ends, a disc. Each part
    is kept within the cells of its own samples: a place belongs to the street it snaps to.
    """
    import shapely

    radius = np.minimum(left * (walk_speed / 3.6), cap)
    a, b = cells.pair[:, 0], cells.pair[:, 1]
    # A cell is whole when every piece of street around its sample reaches its far corner.
    least = radius.copy()
    np.minimum.at(least, a, radius[b])
    np.minimum.at(least, b, radius[a])
    whole = least >= cells.reach
    # The cells tile the plane edge to edge: a coverage union is an order faster.
    areas = [shapely.coverage_union_all(cells.cell[whole])] if whole.any() else []
    live = np.flatnonzero(np.maximum(radius[a], radius[b]) > MIN_WIDTH)
    bands = _bands(cells, a[live], b[live], radius[a[live]], radius[b[live]])
    owner = np.concatenate((a[live], b[live]))
    part = ~whole[owner]
    pieces = [shapely.intersection(cells.cell[owner[part]], np.concatenate((bands, bands))[part])]
    ends = np.flatnonzero(cells.vertex & (radius > MIN_WIDTH) & ~whole)
    if len(ends):
        # Circumscribed polygons, so that the discs hold their true circles.
        outer = radius[ends] / np.cos(np.pi / (4 * DISC_QUAD_SEGMENTS))
        centres = shapely.points(cells.x[ends], cells.y[ends])
        discs = shapely.buffer(centres, outer, quad_segs=DISC_QUAD_SEGMENTS)
        pieces.append(shapely.intersection(cells.cell[ends], discs))
    # On a centimetre grid: slivers where the pieces of neighbouring cells meet would turn
    # into self-intersections once reprojected.
    return shapely.set_precision(shapely.union_all(np.concatenate((areas, *pieces))), PRECISION)


def _bands(cells: StreetCells, a, b, ra, rb):
    """Trapezoids around the street pieces from samples ``a`` to ``b``, ``ra`` and ``rb`` wide.

    Where the walk left runs out between the two samples, the trapezoid ends in a point there.
    """
    import shapely

    start = np.column_stack((cells.x[a], cells.y[a]))
    end = np.column_stack((cells.x[b], cells.y[b]))
    length = np.hypot(*(end - start).T)
    # An end no search labelled: the walk left falls at walking pace from the other end.
    ra, rb = np.where(np.isinf(ra), rb - length, ra), np.where(np.isinf(rb), ra - length, rb)
    length = length[:, None]
    normal = np.column_stack((start[:, 1] - end[:, 1], end[:, 0] - start[:, 0])) / length
    # Move a negative end to where the walk left reaches zero.
    share = np.clip(ra / np.where(ra - rb == 0, 1.0, ra - rb), 0.0, 1.0)[:, None]
    zero = start + (end - start) * share
    start = np.where((ra < 0)[:, None], zero, start)
    end = np.where((rb < 0)[:, None], zero, end)
    wa, wb = np.maximum(ra, 0.0)[:, None], np.maximum(rb, 0.0)[:, None]
    ring = np.stack(
        (start + normal * wa, end + normal * wb, end - normal * wb, start - normal * wa, start + normal * wa),
        axis=1,
    )
    return shapely.polygons(ring)
