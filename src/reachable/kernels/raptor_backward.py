"""Backward RAPTOR: the latest departure that still arrives by a deadline.

The mirror of :mod:`.raptor`, on the same routes: a search starts at a destination at its
deadline and runs back in time, ride by ride, to the stops and then to every origin. A label
is the latest time one may be at a stop (or leave an origin) and still arrive by the
deadline; later is better.

Labels are kept per round (``k`` rides from the end, at most) and come in two kinds, as in
the forward search: *by vehicle* (the latest time a vehicle may arrive at the stop, the
journey going on from there) and *boarding* (the latest time to be at the stop to board).
The forward rules, mirrored: a vehicle is boarded ``board_slack`` seconds after reaching its
stop, plus the stop's same-stop transfer time when an earlier ride came before; so a boarding
label is the vehicle's departure minus ``board_slack``, and the same-stop time comes off
where the journey continues backwards from a boarding to an earlier ride. A walking leg never
follows another.

Deadlines are processed from the earliest to the latest, keeping labels between them: a
journey arriving by an earlier deadline arrives by a later one too.

Only the departure is searched: when the journey leaving then arrives is the forward
search's answer (:func:`.raptor.arrivals_at`), since a stop keeping only its latest
departure may hide an earlier arrival behind a later ride.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .raptor import UNREACHED, UNREACHED_DURATION, draw_routes, queue_routes, raptor_work

NEVER = -UNREACHED
"""Departure label of a stop or origin from which the deadline cannot be met."""


@njit(cache=True, inline="always")
def _improve(labels, round_, stop, time, n_rounds):
    """Write ``time`` into rounds ``round_..n_rounds`` where it is later (fewer rides count too)."""
    for k in range(round_, n_rounds + 1):
        if time > labels[k, stop]:
            labels[k, stop] = time
        else:
            break


@njit(cache=True)
def _latest_trip(arrival, first_time, n_stops_in_route, position, low, high, deadline):
    """Index in ``[low, high)`` of the last trip reaching ``position`` by ``deadline`` (else ``low - 1``)."""
    while low < high:
        middle = (low + high) // 2
        if arrival[first_time + middle * n_stops_in_route + position] <= deadline:
            low = middle + 1
        else:
            high = middle
    return low - 1


@njit(cache=True)
def _mark(stop, marked_stops, is_marked, n_marked):
    if not is_marked[stop]:
        is_marked[stop] = True
        marked_stops[n_marked] = stop
        n_marked += 1
    return n_marked


@njit(cache=True)
def run_rounds_backward(
    routes,
    walks_in,
    stop_board_slack,
    board_slack,
    max_rounds,
    earliest,
    by_vehicle,
    boarding,
    work,
    n_marked,
    improved,
    n_improved,
    has_access,
):
    """Run backward rounds 1..max_rounds from the stops whose round-0 label improved.

    Parameters
    ----------
    routes : tuple of ndarray
        As in :func:`.raptor.run_rounds`.
    walks_in : tuple of ndarray
        ``(offsets, from_stop, seconds)``: the walking transfers that END at each stop, CSR.
    stop_board_slack, board_slack :
        As in :func:`.raptor.run_rounds`.
    earliest : int
        Departures before this are pruned (the deadline minus the time budget).
    by_vehicle, boarding : ndarray of int64, shape (max_rounds + 1, n_stops)
        The labels, updated in place; round 0 of ``by_vehicle`` holds the deadline minus the
        walk from each stop to the destination.
    work : tuple
        :func:`.raptor.raptor_work`; ``marked_stops[:n_marked]`` are the stops whose
        round-0 label improved.
    improved : ndarray of int64
        Appended from ``n_improved`` with every stop whose boarding label of the last round
        improved (for the walks to the origins); ``work[7]`` flags them.
    has_access : ndarray of bool
        Stops an origin walks to: only their boarding labels matter in the last round.

    Returns
    -------
    int
        The new number of improved stops.
    """
    route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets, arrival, departure = routes[:6]
    walk_offsets, walk_from, walk_time = walks_in
    marked_stops, is_marked, rode_stops, is_rode, queue, route_start, is_queued, is_improved = work
    for k in range(1, max_rounds + 1):
        if n_marked == 0:
            break
        n_queued = queue_routes(marked_stops, n_marked, routes, queue, route_start, is_queued, True)
        for i in range(n_marked):
            is_marked[marked_stops[i]] = False
        n_marked = 0
        n_rode = 0

        # Ride every queued route back from its last improved stop.
        for q in range(n_queued):
            route = queue[q]
            is_queued[route] = False
            first_stop = route_stop_offsets[route]
            n_route_stops = route_stop_offsets[route + 1] - first_stop
            first_trip = route_trip_offsets[route]
            n_trips = route_trip_offsets[route + 1] - first_trip
            first_time = route_time_offsets[route]
            trip = -1  # none ridden yet
            for position in range(route_start[route], -1, -1):
                stop = route_stops[first_stop + position]
                # Before the first ride only the walk from an origin remains.
                if trip >= 0 and (k < max_rounds or has_access[stop]):
                    leave = departure[first_time + trip * n_route_stops + position] - board_slack
                    if leave >= earliest and leave > boarding[k, stop]:
                        _improve(boarding, k, stop, leave, max_rounds)
                        if not is_rode[stop]:
                            is_rode[stop] = True
                            rode_stops[n_rode] = stop
                            n_rode += 1
                        if boarding[max_rounds, stop] == leave and not is_improved[stop]:
                            is_improved[stop] = True
                            improved[n_improved] = stop
                            n_improved += 1
                limit = by_vehicle[k - 1, stop]
                if limit <= NEVER:
                    continue
                # Only a later trip than the one ridden does better.
                if trip + 1 < n_trips and arrival[first_time + (trip + 1) * n_route_stops + position] > limit:
                    continue
                trip = _latest_trip(arrival, first_time, n_route_stops, position, trip + 1, n_trips, limit)

        # Back from each boarding label of this round: the ride before it arrives at that stop
        # (the same-stop transfer time earlier) or at a stop a walk away; none before round 1.
        for i in range(n_rode):
            stop = rode_stops[i]
            is_rode[stop] = False
            if k == max_rounds:
                continue
            ready = boarding[k, stop] - stop_board_slack[stop]
            if ready > by_vehicle[k, stop]:
                _improve(by_vehicle, k, stop, ready, max_rounds)
                n_marked = _mark(stop, marked_stops, is_marked, n_marked)
            for j in range(walk_offsets[stop], walk_offsets[stop + 1]):
                source = walk_from[j]
                leave = ready - walk_time[j]
                if leave >= earliest and leave > by_vehicle[k, source]:
                    _improve(by_vehicle, k, source, leave, max_rounds)
                    n_marked = _mark(source, marked_stops, is_marked, n_marked)
    for i in range(n_marked):
        is_marked[marked_stops[i]] = False
    return n_improved


@njit(cache=True, parallel=True)
def latest_departures(
    draw_offsets,
    route_stop_offsets,
    route_stops,
    route_trip_offsets,
    route_time_offsets,
    arrival,
    departure,
    stop_route_offsets,
    stop_route,
    stop_route_position,
    stop_departure_offsets,
    stop_departure,
    walk_offsets,
    walk_from,
    walk_time,
    stop_board_slack,
    board_slack,
    egress_offsets,
    egress_stop,
    egress_time,
    access_offsets,
    access_origin,
    access_time,
    direct_offsets,
    direct_origin,
    direct_time,
    n_origins,
    deadlines,
    max_rounds,
    max_duration,
    n_chunks,
):
    """Latest departure from each origin arriving at each destination by each deadline.

    Parameters
    ----------
    draw_offsets, route_* , arrival, departure, stop_route*, stop_departure* :
        The routes of every draw, as in :func:`.raptor.transit_travel_times`.
    walk_offsets, walk_from, walk_time :
        CSR per stop of the walking transfers ending there (the forward transfers turned
        round), seconds.
    stop_board_slack, board_slack :
        As in :func:`.raptor.run_rounds`.
    egress_offsets, egress_stop, egress_time :
        CSR per destination: stops within walking range and the walk from each, seconds.
    access_offsets, access_origin, access_time :
        CSR per stop: origins within walking range and the walk to it, seconds.
    direct_offsets, direct_origin, direct_time :
        CSR per destination: origins that reach it on foot alone, seconds.
    n_origins : int
    deadlines : ndarray of int64
        Arrival deadlines in seconds, increasing.
    max_rounds : int
        Largest number of rides.
    max_duration : int
        Seconds; a departure earlier than the deadline minus this is not searched.
    n_chunks : int
        Destinations are split into this many interleaved chunks, one thread each at a time.

    Returns
    -------
    ndarray of int32, shape (n_destinations, n_origins, n_draws * n_deadlines)
        For each (draw, deadline), in that order: how long before the deadline the latest
        departure is, :data:`UNREACHED_DURATION` where no journey leaves within
        ``max_duration``.
    """
    n_destinations = egress_offsets.shape[0] - 1
    n_draws = draw_offsets.shape[0] - 1
    n_stops = stop_board_slack.shape[0]
    n_routes_max = 1
    for d in range(n_draws):
        n_routes_max = max(n_routes_max, draw_offsets[d + 1] - draw_offsets[d])
    n_deadlines = deadlines.shape[0]
    n_values = n_draws * n_deadlines
    lead = np.empty((n_destinations, n_origins, n_values), dtype=np.int32)
    n_chunks = max(1, min(n_chunks, n_destinations))
    walks_in = (walk_offsets, walk_from, walk_time)
    has_access = access_offsets[1:] > access_offsets[:-1]
    for chunk in prange(n_chunks):
        by_vehicle = np.empty((max_rounds + 1, n_stops), dtype=np.int64)
        boarding = np.empty((max_rounds + 1, n_stops), dtype=np.int64)
        work = raptor_work(n_stops, n_routes_max)
        is_improved = work[7]
        improved = np.empty(n_stops, dtype=np.int64)
        best = np.empty(n_origins, dtype=np.int64)
        rows = np.empty((n_values, n_origins), dtype=np.int32)
        for destination in range(chunk, n_destinations, n_chunks):
            egress = slice(egress_offsets[destination], egress_offsets[destination + 1])
            for d in range(n_draws):
                routes = draw_routes(
                    draw_offsets, route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets,
                    arrival, departure, stop_route_offsets, stop_route, stop_route_position,
                    stop_departure_offsets, stop_departure, d,
                )  # fmt: skip
                by_vehicle[:] = NEVER
                boarding[:] = NEVER
                best[:] = NEVER
                for m in range(n_deadlines):
                    deadline = deadlines[m]
                    marked_stops, is_marked = work[0], work[1]
                    n_marked = 0
                    for i in range(egress.start, egress.stop):
                        stop = egress_stop[i]
                        by_vehicle[0, stop] = deadline - egress_time[i]
                        n_marked = _mark(stop, marked_stops, is_marked, n_marked)
                    n_improved = run_rounds_backward(
                        routes, walks_in, stop_board_slack, board_slack, max_rounds, deadline - max_duration,
                        by_vehicle, boarding, work, n_marked, improved, 0, has_access,
                    )  # fmt: skip
                    for i in range(n_improved):
                        stop = improved[i]
                        is_improved[stop] = False
                        ready = boarding[max_rounds, stop]
                        for j in range(access_offsets[stop], access_offsets[stop + 1]):
                            origin = access_origin[j]
                            best[origin] = max(best[origin], ready - access_time[j])
                    for i in range(direct_offsets[destination], direct_offsets[destination + 1]):
                        origin = direct_origin[i]
                        best[origin] = max(best[origin], deadline - direct_time[i])
                    row = rows[d * n_deadlines + m]
                    for o in range(n_origins):
                        ahead = deadline - best[o]
                        row[o] = ahead if ahead <= max_duration else UNREACHED_DURATION
            lead[destination] = rows.T
    return lead
