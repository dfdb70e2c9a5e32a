"""The route behind a travel time: the legs of a public transport journey, or a street path."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from .cutoffs import last_second, search_limit, whole_seconds
from .errors import InvalidParameterError, UnknownModeError
from .kernels import path_tree
from .kernels.raptor import UNREACHED
from .matrix import (
    DEFAULT_BOARD_SLACK,
    DEFAULT_MAX_SNAP_DISTANCE,
    DEFAULT_MAX_TRANSFERS,
    DEFAULT_MAX_WALK_TIME,
    routing_settings,
)
from .modes import DEFAULT_BIKE_SPEED, DEFAULT_EBIKE_SPEED, DEFAULT_WALK_SPEED, is_transit
from .network.network import Network
from .points import Points, as_points
from .routing.street import street_seconds, warns_once_per_point_set
from .routing.transit import (
    AccessSearch,
    _walking,
    access_search,
    departure_labels,
    origin_leads,
    stop_costs,
    walk_pairs,
)

PARK_AND_RIDE_LABEL = "park and ride"
"""The name of a park-and-ride place in the legs (they have no stop id)."""


def _one_point(value, name: str) -> Points:
    """A point from a one-row (Geo)DataFrame or a ``(lon, lat)`` pair in WGS84 degrees."""
    if isinstance(value, tuple) and len(value) == 2:
        value = pd.DataFrame({"id": [name], "lon": [value[0]], "lat": [value[1]]})
    points = as_points(value, name)
    if len(points) != 1:
        raise InvalidParameterError(f"{name} must be one point, got {len(points)}")
    return points


@warns_once_per_point_set
def itinerary(
    network: Network,
    origin,
    destination,
    *,
    departure=None,
    arrival=None,
    mode: str = "transit",
    max_time: float = 120,
    max_walk_time: float = DEFAULT_MAX_WALK_TIME,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    walk_speed: float = DEFAULT_WALK_SPEED,
    board_slack: float = DEFAULT_BOARD_SLACK,
    seed: int = 0,
    max_snap_distance: float = DEFAULT_MAX_SNAP_DISTANCE,
    **vehicle,
):
    """The fastest journey by walking and public transport for one departure, leg by leg.

    It is the journey behind :func:`travel_time_matrix` with ``mode="transit"`` (or a
    combined mode such as ``"bike+transit"``) for one departure minute: the same walking
    limits, transfers and boarding rules. With several equally fast journeys, the one with
    the fewest rides is shown. With ``arrival=`` instead, it is the journey that leaves as
    late as possible and still arrives by then: it leaves at the ``departure`` of
    :func:`travel_time_matrix` with that ``arrival`` (to the second), and arrives at its
    ``arrival``.

    Parameters
    ----------
    network : Network
        Built with ``gtfs=`` and ``date=``.
    origin, destination : tuple or geopandas.GeoDataFrame or pandas.DataFrame
        ``(lon, lat)`` in WGS84 degrees, or a one-row frame as accepted by
        :func:`travel_time_matrix`.
    departure, arrival : datetime.datetime or str
        One of them: the time to leave, or the time to be there by. ``"YYYY-MM-DD HH:MM"``
        on one of the network's service days, or ``"HH:MM"`` when it has one (see
        :func:`reachable.timeline.timeline_seconds`).
    mode : str, default "transit"
        ``"transit"``, or public transport reached by a vehicle (``"bike+transit"``,
        ``"ebike+transit"``, ``"moped+transit"``, ``"car+transit"``).
    max_time : float, default 120
        Minutes; a slower journey is not searched.
    max_walk_time, max_transfers, walk_speed, board_slack, seed, max_snap_distance :
        As in :func:`travel_time_matrix` (minutes, count, km/h, seconds, seed, metres).
        ``seed`` picks the phases of frequency-based services (its first draw).
    **vehicle :
        ``access_mode``, ``max_access_time``, ``bike_speed``, ``ebike_speed``,
        ``car_speed_factor``, ``bike_parking_only``, ``park_and_ride``, as in
        :func:`travel_time_matrix`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per leg, in order, EPSG:4326: ``leg`` (1, 2, ...), ``mode`` (``"walk"``,
        ``"ride"``, or the vehicle taken to public transport: ``"bike"``, ``"car"``...),
        ``from_stop``, ``from_name``, ``to_stop``, ``to_name`` (stop ids and names, empty at
        the origin and destination, ``"park and ride"`` at such a place),
        ``departure_time``, ``arrival_time`` (timestamps), ``wait`` (minutes at the stop
        before a ride), ``duration`` (minutes), ``route_id``, ``route_short_name``,
        ``route_type``, ``trip_id`` (rides only) and ``geometry``: the stops called at for a
        ride, the street path for a walk, ride or drive (a straight line where a point is
        off the network). Empty when the destination is not reachable within ``max_time``
        (with ``arrival=``: when no journey leaving at most ``max_time`` before it arrives
        in time).
    """
    import geopandas as gpd
    import shapely

    if network.timetable is None:
        raise UnknownModeError("itinerary needs public transport: build the network with gtfs= and date=")
    query = routing_settings(
        network, mode, max_time=max_time, departure=departure, arrival=arrival, max_walk_time=max_walk_time,
        max_transfers=max_transfers, walk_speed=walk_speed, board_slack=board_slack, frequency_draws=1,
        seed=seed, max_snap_distance=max_snap_distance, **vehicle,
    ).transit  # fmt: skip
    if query is None:
        raise InvalidParameterError(
            f"itinerary shows public transport journeys; mode={mode!r} has none: use mode='transit' "
            "or a combined mode such as 'bike+transit'"
        )
    here, there = _one_point(origin, "origin"), _one_point(destination, "destination")
    if query.arrive_by:
        # The journey leaving at the latest departure is the earliest one leaving then.
        lead, _ = origin_leads(network, here, there, query, progress=False)
        if lead[0, 0, 0] >= UNREACHED:
            return _numbered(_empty_legs())
        start = int(query.deadlines[0] - lead[0, 0, 0])
    else:
        start = int(query.departures[0])
    weight, snap = _walking(network, query)
    stops = stop_costs(network, query)
    here_costs, there_costs = snap(here, "origin"), snap(there, "destination")
    search = access_search(network, here, there, query)
    (_, access_stop, access_time), (_, _, direct) = search.pairs(network, slice(0, 1), len(stops))
    egress_offsets, _, egress_time = walk_pairs(network, weight, stops, there_costs, query.max_walk)
    # The first draw of frequency phases: trips are indices of its own timetable.
    timetable, routes, labels = departure_labels(network, query, access_stop, access_time, start)
    ride, board, parent_trip, parent_board, parent_from = labels

    last = query.max_rounds
    egress = np.full(timetable.n_stops, UNREACHED, dtype=np.int64)
    has_egress = np.diff(egress_offsets) > 0
    egress[has_egress] = egress_time[egress_offsets[:-1][has_egress]]
    by_transit = np.where((ride[last] < UNREACHED) & (egress < UNREACHED), ride[last] + egress, UNREACHED)
    best_stop = int(np.argmin(by_transit))
    walk_only = start + direct[0] if len(direct) else UNREACHED
    # Times are seconds on the timeline, which starts at midnight of the first service day.
    midnight = pd.Timestamp(datetime.datetime.combine(network.date, datetime.time()))
    legs: list[dict] = []
    point = (float(here.lon[0]), float(here.lat[0]))
    end = (float(there.lon[0]), float(there.lat[0]))

    def stop_point(stop: int) -> tuple[float, float]:
        return float(timetable.stop_lon[stop]), float(timetable.stop_lat[stop])

    def walk(from_stop, to_stop, leaving, arriving, a, b, a_costs=None, from_label=""):
        a_costs = (
            a_costs
            if a_costs is not None
            else here_costs
            if from_stop is None
            else stops[from_stop : from_stop + 1]
        )
        b_costs = there_costs if to_stop is None else stops[to_stop : to_stop + 1]
        line = _street_line(network, "walk", weight, a_costs, b_costs, a, b, query.max_walk)
        legs.append(
            _leg(
                timetable,
                "walk",
                from_stop,
                to_stop,
                leaving,
                arriving,
                0,
                midnight,
                line,
                from_label=from_label,
            )
        )

    def by_vehicle(target: int, leaving, arriving, b, to_stop=None, to_label=""):
        """The ride or drive from the origin to where the vehicle is left, ``search.targets[target]``."""
        end_costs = search.targets[target : target + 1]
        line = _street_line(
            network, search.mode, search.weight, search.origins, end_costs, point, b, search.limit
        )
        legs.append(
            _leg(
                timetable, search.mode, None, to_stop, leaving, arriving, 0, midnight, line, to_label=to_label
            )
        )

    def to_first_stop(boarded: int, ready: int):
        if search.onward is None and query.access is None:
            walk(None, boarded, start, ready, point, stop_point(boarded))
        elif search.onward is None:
            target = int(np.flatnonzero(search.target_stop == boarded)[0])
            by_vehicle(target, start, ready, stop_point(boarded), to_stop=boarded)
        else:
            place, drive = _park_and_ride_used(network, search, boarded, ready - start)
            lon, lat = query.access.places[place : place + 1].T
            place_point = (float(lon[0]), float(lat[0]))
            # Legs are gathered from the last to the first: the walk, then the drive before it.
            walk(
                None, boarded, start + drive, ready, place_point, stop_point(boarded),
                a_costs=snap(Points(ids=None, lon=lon, lat=lat), None), from_label=PARK_AND_RIDE_LABEL,
            )  # fmt: skip
            by_vehicle(place, start, start + drive, place_point, to_label=PARK_AND_RIDE_LABEL)

    if min(walk_only, by_transit[best_stop]) - start > query.max_duration:
        pass
    elif walk_only <= by_transit[best_stop]:  # walkers only: every combined trip rides
        walk(None, None, start, walk_only, point, end)
    else:
        walk(best_stop, None, ride[last, best_stop], by_transit[best_stop], stop_point(best_stop), end)
        stop, k = best_stop, _first_round(ride, last, best_stop)
        while True:
            route_trip = parent_trip[k, stop]
            boarded = parent_board[k, stop]
            route = int(np.searchsorted(routes.route_trip_offsets, route_trip, side="right") - 1)
            trip_rank = route_trip - routes.route_trip_offsets[route]
            stop_list = routes.route_stops[
                routes.route_stop_offsets[route] : routes.route_stop_offsets[route + 1]
            ]
            first_time = routes.route_time_offsets[route] + trip_rank * len(stop_list)
            on = int(np.flatnonzero(stop_list == boarded)[0])
            off = on + int(np.flatnonzero(stop_list[on:] == stop)[0])
            k_before = _first_round(board, k - 1, boarded)
            ready = board[k - 1, boarded]
            calls = [stop_point(s) for s in stop_list[on : off + 1]]
            legs.append(
                _leg(
                    timetable, "ride", boarded, stop, routes.departure[first_time + on],
                    routes.arrival[first_time + off], routes.departure[first_time + on] - ready, midnight,
                    shapely.LineString(calls), trip=int(routes.route_trip[route_trip]),
                )
            )  # fmt: skip
            if k_before == 0:
                to_first_stop(int(boarded), int(ready))
                break
            walked_from = parent_from[k_before, boarded]
            if walked_from >= 0:
                arrived = ride[k_before, walked_from]
                walk(walked_from, boarded, arrived, ready, stop_point(walked_from), stop_point(boarded))
                stop, k = int(walked_from), _first_round(ride, k_before, int(walked_from))
            else:
                stop, k = int(boarded), _first_round(ride, k_before, int(boarded))
        legs.reverse()
    return _numbered(gpd.GeoDataFrame(legs, geometry="geometry", crs="EPSG:4326") if legs else _empty_legs())


def _numbered(legs):
    """``legs`` with their number first: 1, 2, ..."""
    legs.insert(0, "leg", np.arange(1, len(legs) + 1))
    return legs


@warns_once_per_point_set
def street_route(
    network: Network,
    origin,
    destination,
    *,
    mode: str,
    max_time: float = 120,
    walk_speed: float = DEFAULT_WALK_SPEED,
    bike_speed: float = DEFAULT_BIKE_SPEED,
    ebike_speed: float = DEFAULT_EBIKE_SPEED,
    car_speed_factor: float = 1.0,
    max_snap_distance: float = DEFAULT_MAX_SNAP_DISTANCE,
):
    """The street path of the fastest trip by a street mode, as travelled.

    It is the path behind :func:`travel_time_matrix` with the same mode and options: the walk
    from the origin to its street, the streets of ``mode``'s graph, the walk from the last
    street to the destination.

    Parameters
    ----------
    network : Network
    origin, destination : tuple or geopandas.GeoDataFrame or pandas.DataFrame
        ``(lon, lat)`` in WGS84 degrees, or a one-row frame as accepted by
        :func:`travel_time_matrix`.
    mode : {"walk", "bike", "ebike", "moped", "car"}
    max_time : float, default 120
        Minutes; a slower trip is not searched.
    walk_speed, bike_speed, ebike_speed, car_speed_factor, max_snap_distance :
        As in :func:`travel_time_matrix` (km/h, a factor, metres).

    Returns
    -------
    shapely.LineString
        In WGS84 longitude and latitude, from the origin to the destination; empty when the
        destination is not reachable within ``max_time`` (or a point is off the network).

    Raises
    ------
    UnknownModeError
        ``mode`` is unknown or the network was not built for it.
    InvalidParameterError
        A public transport mode (see :func:`itinerary`), or a time, speed or distance out of
        range.
    """
    import shapely

    if isinstance(mode, str) and is_transit(mode):
        raise InvalidParameterError(
            f"street_route follows the streets of one street mode; for mode={mode!r} use itinerary"
        )
    routing = routing_settings(
        network, mode, max_time=max_time, walk_speed=walk_speed, bike_speed=bike_speed,
        ebike_speed=ebike_speed, car_speed_factor=car_speed_factor, max_snap_distance=max_snap_distance,
    )  # fmt: skip
    here, there = _one_point(origin, "origin"), _one_point(destination, "destination")
    start, end = (float(here.lon[0]), float(here.lat[0])), (float(there.lon[0]), float(there.lat[0]))
    if start == end:  # the matrix's 0 minutes, wherever the streets are
        return shapely.LineString([start, end])
    weight, snap = routing.streets(network)

    start_costs, end_costs = snap(here, "origin"), snap(there, "destination")
    limit = search_limit(routing.max_time)
    # The matrix's rule for "within max_time", so that a trip it times is one drawn here.
    seconds = whole_seconds(street_seconds(network, mode, weight, start_costs, end_costs, limit))[0, 0]
    if not seconds <= last_second(routing.max_time):
        return shapely.LineString()
    return _street_line(network, mode, weight, start_costs, end_costs, start, end, limit)


def _park_and_ride_used(network: Network, search: AccessSearch, stop: int, seconds: int) -> tuple[int, int]:
    """The park-and-ride place of the quickest way to ``stop`` (``seconds`` in all) and the drive to it."""
    (offsets, place, drive), _ = search.searched(network, slice(0, 1))
    walk_offsets, walk_stop, walk_seconds = search.onward
    for p, d in zip(place[offsets[0] : offsets[1]], drive[offsets[0] : offsets[1]], strict=True):
        row = slice(walk_offsets[p], walk_offsets[p + 1])
        on_foot = walk_seconds[row][walk_stop[row] == stop]
        if len(on_foot) and d + on_foot[0] == seconds:
            return int(p), int(d)
    raise AssertionError("no park-and-ride place explains the access time")  # the search found one


def _street_line(network: Network, mode: str, weight, start, end, start_point, end_point, cutoff: float):
    """The street path travelled between two snapped points, as a WGS84 LineString.

    It is the path behind the travel time: from the start point to its street, along the
    shortest path of ``mode``'s graph (or directly along a shared edge), then to the end
    point. A straight line when either point is off the network.
    """
    import shapely
    from shapely.ops import substring

    graph, edges = network.graph(mode), network.edges
    if start.edge[0] < 0 or end.edge[0] < 0:
        return shapely.LineString([start_point, end_point])

    def edge_line(edge: int):
        rows = slice(edges.geometry_offsets[edge], edges.geometry_offsets[edge + 1])
        return shapely.LineString(np.column_stack((edges.geometry_lon[rows], edges.geometry_lat[rows])))

    def piece(edge: int, start_fraction: float, end_fraction: float) -> list:
        return list(substring(edge_line(edge), start_fraction, end_fraction, normalized=True).coords)

    dist, parent = path_tree(graph.indptr, graph.head, weight, start.node[0], start.enter[0, :2], cutoff)
    options = [(dist[end.node[0, s]] + end.leave[0, s], s) for s in (0, 1) if end.node[0, s] >= 0]
    total, side = min(options) if options else (np.inf, 0)
    f_start, f_end = float(start.fraction[0]), float(end.fraction[0])
    if start.edge[0] == end.edge[0]:
        direction = 0 if f_end >= f_start else 1
        direct = start.enter[0, 2] + abs(f_end - f_start) * start.along[0, direction] + end.leave[0, 2]
        if direct <= total:
            coords = [start_point, *piece(int(start.edge[0]), f_start, f_end), end_point]
            return shapely.LineString(coords)
    arcs = []
    node = end.node[0, side]
    while parent[node] >= 0:
        arcs.append(parent[node])
        node = int(np.searchsorted(graph.indptr, parent[node], side="right") - 1)
    seed_side = 0 if node == start.node[0, 0] else 1
    coords = [start_point, *piece(int(start.edge[0]), f_start, float(seed_side))]
    for arc in reversed(arcs):
        line = list(edge_line(int(graph.arc_edge[arc])).coords)
        coords.extend(line[::-1] if graph.arc_reverse[arc] else line)
    coords.extend([*piece(int(end.edge[0]), float(side), f_end), end_point])
    return shapely.LineString(coords)


def _first_round(labels: np.ndarray, k: int, stop: int) -> int:
    """The round where ``labels[k, stop]`` was set (later rounds inherit earlier labels)."""
    while k > 0 and labels[k - 1, stop] == labels[k, stop]:
        k -= 1
    return k


def _leg(
    timetable, mode, from_stop, to_stop, leaving, arriving, wait, midnight, geometry, trip=None,
    from_label="", to_label="",
) -> dict:  # fmt: skip
    def stop_fields(stop, label):
        if stop is None:
            return "", label
        return str(timetable.stop_id[stop]), str(timetable.stop_name[stop])

    from_id, from_name = stop_fields(from_stop, from_label)
    to_id, to_name = stop_fields(to_stop, to_label)
    route = None if trip is None else int(timetable.trip_route[trip])
    return {
        "mode": mode,
        "from_stop": from_id,
        "from_name": from_name,
        "to_stop": to_id,
        "to_name": to_name,
        "departure_time": midnight + pd.Timedelta(seconds=int(leaving)),
        "arrival_time": midnight + pd.Timedelta(seconds=int(arriving)),
        "wait": int(wait) / 60,
        "duration": int(arriving - leaving) / 60,
        "route_id": "" if route is None else str(timetable.route_id[route]),
        "route_short_name": "" if route is None else str(timetable.route_short_name[route]),
        "route_type": -1 if route is None else int(timetable.route_type[route]),
        "trip_id": "" if trip is None else str(timetable.trip_id[trip]),
        "geometry": geometry,
    }


def _empty_legs():
    import geopandas as gpd

    columns = [
        "mode", "from_stop", "from_name", "to_stop", "to_name", "departure_time", "arrival_time", "wait",
        "duration", "route_id", "route_short_name", "route_type", "trip_id",
    ]  # fmt: skip
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
