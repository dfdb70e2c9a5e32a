"""RAPTOR routes: the trips of a timetable grouped by stop pattern, as arrays for the kernel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..gtfs.timetable import Timetable


@dataclass(frozen=True)
class TransitRoutes:
    """Trips grouped into routes whose trips share a stop sequence and never overtake.

    Attributes
    ----------
    route_stop_offsets : ndarray of int64, shape (n_routes + 1,)
    route_stops : ndarray of int64
        Route ``r`` calls at ``route_stops[route_stop_offsets[r]:route_stop_offsets[r + 1]]``.
    route_trip_offsets : ndarray of int64, shape (n_routes + 1,)
    route_trip : ndarray of int64
        Timetable trip index of each route trip, sorted by time within each route.
    route_time_offsets : ndarray of int64, shape (n_routes + 1,)
    arrival, departure : ndarray of int64
        Seconds; route ``r``'s ``t``-th trip at its ``s``-th stop is at
        ``route_time_offsets[r] + t * n_stops_of_r + s``.
    route_gtfs : ndarray of int64, shape (n_routes,)
        Timetable (GTFS) route index of each RAPTOR route.
    stop_route_offsets : ndarray of int64, shape (n_stops + 1,)
    stop_route, stop_route_position : ndarray of int64
        Routes calling at each stop and the stop's position in them.
    stop_departure_offsets : ndarray of int64, shape (n_stops + 1,)
    stop_departure : ndarray of int64
        Every trip's departure from each stop, sorted: whether leaving earlier lets another
        vehicle be caught there.
    """

    route_stop_offsets: np.ndarray
    route_stops: np.ndarray
    route_trip_offsets: np.ndarray
    route_trip: np.ndarray
    route_time_offsets: np.ndarray
    arrival: np.ndarray
    departure: np.ndarray
    route_gtfs: np.ndarray
    stop_route_offsets: np.ndarray
    stop_route: np.ndarray
    stop_route_position: np.ndarray
    stop_departure_offsets: np.ndarray
    stop_departure: np.ndarray

    @property
    def n_routes(self) -> int:
        """Number of RAPTOR routes."""
        return len(self.route_gtfs)


def _split_overtaking(times: np.ndarray) -> list[list[int]]:
    """Split trips (rows, sorted by first departure) into lanes where no trip overtakes another.

    ``times`` has one row per trip: arrivals then departures at every stop. A trip joins the
    first lane whose last trip is nowhere later than it.
    """
    # Most patterns have no overtaking: every trip is nowhere earlier than the one before,
    # and all join the first lane.
    if np.all(times[1:] >= times[:-1]):
        return [list(range(len(times)))]
    lanes: list[list[int]] = []
    last: list[np.ndarray] = []
    for row in range(len(times)):
        for lane, previous in enumerate(last):
            if np.all(previous <= times[row]):
                lanes[lane].append(row)
                last[lane] = times[row]
                break
        else:
            lanes.append([row])
            last.append(times[row])
    return lanes


def build_routes(timetable: Timetable) -> TransitRoutes:
    """Group the scheduled trips of ``timetable`` into RAPTOR routes.

    Trips with the same GTFS route and the same sequence of stops form a route, sorted by
    their first departure; where one would overtake another (an express behind a local),
    the route is split so that boarding the earliest catchable trip is always right.
    """
    offsets = timetable.trip_offsets
    trips = np.flatnonzero(timetable.scheduled & (np.diff(offsets) >= 2))
    patterns: dict[tuple[int, bytes], list[int]] = {}
    for trip in trips:
        stops = timetable.stop_time_stop[offsets[trip] : offsets[trip + 1]]
        patterns.setdefault((int(timetable.trip_route[trip]), stops.tobytes()), []).append(int(trip))

    route_stops, route_trips, route_gtfs = [], [], []
    arrivals, departures, departure_stops = [], [], []
    for (gtfs_route, _), members in patterns.items():
        members = np.asarray(members)
        rows = offsets[members][:, None] + np.arange(offsets[members[0] + 1] - offsets[members[0]])
        arrival = timetable.stop_time_arrival[rows]
        departure = timetable.stop_time_departure[rows]
        order = np.lexsort((arrival[:, -1], departure[:, 0]))
        members, arrival, departure = members[order], arrival[order], departure[order]
        for lane in _split_overtaking(np.hstack((arrival, departure))):
            route_stops.append(timetable.stop_time_stop[rows[0]])
            route_trips.append(members[lane])
            route_gtfs.append(gtfs_route)
            arrivals.append(arrival[lane].ravel())
            departures.append(departure[lane].ravel())
            departure_stops.append(np.tile(route_stops[-1], len(lane)))

    def offsets_of(pieces) -> np.ndarray:
        return np.concatenate(([0], np.cumsum([len(p) for p in pieces]))).astype(np.int64)

    def concatenated(pieces) -> np.ndarray:
        return np.concatenate(pieces).astype(np.int64) if pieces else np.empty(0, dtype=np.int64)

    all_stops = concatenated(route_stops)
    n_routes = len(route_stops)
    route_of_entry = np.repeat(np.arange(n_routes), [len(p) for p in route_stops])
    position = np.arange(len(all_stops)) - np.repeat(
        offsets_of(route_stops)[:-1], [len(p) for p in route_stops]
    )
    order = np.lexsort((position, route_of_entry, all_stops))
    all_departures, at_stop = concatenated(departures), concatenated(departure_stops)
    return TransitRoutes(
        route_stop_offsets=offsets_of(route_stops),
        route_stops=all_stops,
        route_trip_offsets=offsets_of(route_trips),
        route_trip=concatenated(route_trips),
        route_time_offsets=offsets_of(arrivals),
        arrival=concatenated(arrivals),
        departure=concatenated(departures),
        route_gtfs=np.asarray(route_gtfs, dtype=np.int64),
        stop_route_offsets=np.concatenate(
            ([0], np.cumsum(np.bincount(all_stops, minlength=timetable.n_stops)))
        ).astype(np.int64),
        stop_route=route_of_entry[order].astype(np.int64),
        stop_route_position=position[order].astype(np.int64),
        stop_departure_offsets=np.concatenate(
            ([0], np.cumsum(np.bincount(at_stop, minlength=timetable.n_stops)))
        ).astype(np.int64),
        stop_departure=all_departures[np.lexsort((all_departures, at_stop))],
    )


def reversed_routes(routes: TransitRoutes) -> TransitRoutes:
    """The same routes run back in time: a forward search on them searches ``routes`` backwards.

    Each route calls at its stops in the opposite order, its trips come in the opposite order
    and every time is negated, a vehicle's departure from a stop becoming its arrival there and
    the other way round; trips still never overtake. Leaving at ``-T`` on these routes, the
    earliest arrival at a stop is minus the latest time one may be there on ``routes`` and
    still arrive by ``T``.
    """
    stop_index = _reversed_blocks(routes.route_stop_offsets)
    time_index = _reversed_blocks(routes.route_time_offsets)
    route_stops = routes.route_stops[stop_index]
    departure = -routes.arrival[time_index]
    n_route_stops = np.diff(routes.route_stop_offsets)
    # The stop of each time: route r's t-th trip at its s-th stop is entry t * n_stops_of_r + s.
    route = np.repeat(np.arange(len(n_route_stops)), np.diff(routes.route_time_offsets))
    entry = np.arange(len(departure)) - routes.route_time_offsets[route]
    at_stop = route_stops[routes.route_stop_offsets[route] + entry % n_route_stops[route]]
    return TransitRoutes(
        route_stop_offsets=routes.route_stop_offsets,
        route_stops=route_stops,
        route_trip_offsets=routes.route_trip_offsets,
        route_trip=routes.route_trip[_reversed_blocks(routes.route_trip_offsets)],
        route_time_offsets=routes.route_time_offsets,
        arrival=-routes.departure[time_index],
        departure=departure,
        route_gtfs=routes.route_gtfs,
        stop_route_offsets=routes.stop_route_offsets,
        stop_route=routes.stop_route,
        stop_route_position=n_route_stops[routes.stop_route] - 1 - routes.stop_route_position,
        stop_departure_offsets=routes.stop_departure_offsets,
        stop_departure=departure[np.lexsort((departure, at_stop))],
    )


def _reversed_blocks(offsets: np.ndarray) -> np.ndarray:
    """Indices taking an array with every block ``offsets[i]:offsets[i + 1]`` reversed."""
    block = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    return offsets[block] + offsets[block + 1] - 1 - np.arange(offsets[-1])


def stack_draws(draws: list[TransitRoutes]) -> dict[str, np.ndarray]:
    """Concatenate the routes of several draws into the kernel's layout (see ``transit_travel_times``)."""
    stop_shift = time_shift = trip_shift = entry_shift = departure_shift = 0
    parts: dict[str, list[np.ndarray]] = {
        key: []
        for key in (
            "route_stop_offsets",
            "route_stops",
            "route_trip_offsets",
            "route_time_offsets",
            "arrival",
            "departure",
            "stop_route_offsets",
            "stop_route",
            "stop_route_position",
            "stop_departure_offsets",
            "stop_departure",
        )
    }
    for routes in draws:
        parts["route_stop_offsets"].append(routes.route_stop_offsets + stop_shift)
        parts["route_trip_offsets"].append(routes.route_trip_offsets + trip_shift)
        parts["route_time_offsets"].append(routes.route_time_offsets + time_shift)
        parts["stop_route_offsets"].append(routes.stop_route_offsets + entry_shift)
        parts["stop_departure_offsets"].append(routes.stop_departure_offsets + departure_shift)
        for key in (
            "route_stops",
            "arrival",
            "departure",
            "stop_route",
            "stop_route_position",
            "stop_departure",
        ):
            parts[key].append(getattr(routes, key))
        stop_shift += len(routes.route_stops)
        time_shift += len(routes.arrival)
        trip_shift += len(routes.route_trip)
        entry_shift += len(routes.stop_route)
        departure_shift += len(routes.stop_departure)
    stacked = {key: np.concatenate(value).astype(np.int64) for key, value in parts.items()}
    stacked["draw_offsets"] = np.concatenate(([0], np.cumsum([r.n_routes for r in draws]))).astype(np.int64)
    return stacked
