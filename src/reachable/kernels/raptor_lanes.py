"""RAPTOR for several neighbouring origins at once, one per *lane*, at single departures.

Same timetable layout and label semantics as :mod:`.raptor`, with a lane axis: label arrays
have shape ``(rounds, stops, lanes)``. Neighbouring origins mostly improve the same stops, so
a walking transfer or an egress walk updates every lane in one vector operation (64 int32
labels fill eight 256-bit vectors), and the routes to scan are listed once for the group;
each lane still gets exactly the labels of a search from its origin alone. Over a departure
window each minute improves few labels, different ones per origin, and :mod:`.raptor`
searching one origin at a time is faster.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .raptor import UNREACHED, UNREACHED_DURATION, _earliest_trip, _mark, draw_routes, queue_routes

MAX_LANES = 64
"""Most origins searched together, a bit each in a uint64 mask. On Porto Alegre (1,227 cells,
one departure, 4 rides) 64 lanes took 0.41 s where 32 took 0.61 s and 16 0.67 s."""


def lanes_of(n_lanes: int) -> tuple:
    """The ``lanes`` argument of :func:`transit_travel_times`: ``n_lanes`` origins at once.

    A tuple, so that numba knows its length (the lane count) when it compiles: each lane count
    gets a kernel with constant-length lane loops.
    """
    if not 1 <= n_lanes <= MAX_LANES:
        raise ValueError(f"n_lanes must be between 1 and {MAX_LANES}, not {n_lanes}")
    return (np.int32(0),) * n_lanes


@njit(cache=True, inline="always")
def _improve(labels, round_, stop, lane, time, n_rounds):
    """Write ``time`` into rounds ``round_..n_rounds`` of a lane where it is earlier.

    A label of round k holds the best arrival with at most k rides, so fewer rides count too.
    """
    for k in range(round_, n_rounds + 1):
        if time < labels[k, stop, lane]:
            labels[k, stop, lane] = time
        else:
            break


@njit(cache=True)
def run_rounds(
    routes,
    transfers,
    stop_board_slack,
    board_slack,
    max_rounds,
    latest_arrival,
    ride,
    board,
    work,
    n_marked,
    n_improved,
    lanes,
    has_egress,
):
    """Run RAPTOR rounds 1..max_rounds from the stops marked in round 0, in every lane.

    Parameters
    ----------
    routes : tuple of ndarray
        ``(route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets, arrival,
        departure, stop_route_offsets, stop_route, stop_route_position)``, as described in
        the module docstring.
    transfers : tuple of ndarray
        ``(offsets, to_stop, seconds)``: walking transfers between stops, CSR per stop.
    stop_board_slack : ndarray of int64, shape (n_stops,)
        Extra seconds needed to board at each stop after a ride (``transfers.txt``
        same-stop ``min_transfer_time``), beyond ``board_slack``.
    latest_arrival : int
        Arrivals after this are pruned (departure + the time budget).
    ride, board : ndarray, shape (max_rounds + 1, n_stops, n_lanes)
        Labels: arrival by vehicle, and the time from which a vehicle may be boarded (after
        the round's walking transfer), with at most k rides. Updated in place.
    work : tuple
        Lists and flags from :func:`raptor_work`. ``marked_stops[0, :n_marked]`` are the
        stops whose ``board`` label improved in round 0, and ``marked_lanes[0]`` their lanes
        that did, one bit each.
    n_improved : int
        Stops already listed in ``improved`` (``is_improved`` flags them); every stop whose
        best ``ride`` label improves in some lane is appended, for the egress walks.
    lanes : tuple
        From :func:`lanes_of`: the number of lanes.
    has_egress : ndarray of bool, shape (n_stops,)
        Stops that a journey may leave on foot for a destination: only their arrivals are
        kept in the last round, where no other use of a stop remains (``board`` labels of
        the last round are not kept either).

    Returns
    -------
    int
        The new number of improved stops.
    """
    route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets, arrival, departure = routes[:6]
    transfer_offsets, transfer_to, transfer_time = transfers
    (
        marked_stops, marked_lanes, rode_stops, is_rode, improved, is_improved, queue, route_start, is_queued,
        walked, walked_stops, is_walked, trip,
    ) = work  # fmt: skip
    n_lanes = len(lanes)
    for k in range(1, max_rounds + 1):
        if n_marked == 0:
            break
        # Marks of the previous round (read) and of this one (written).
        previous_stops, previous_lanes = marked_stops[(k - 1) % 2], marked_lanes[(k - 1) % 2]
        current_stops, current_lanes = marked_stops[k % 2], marked_lanes[k % 2]
        n_previous = n_marked
        n_queued = queue_routes(previous_stops, n_previous, routes, queue, route_start, is_queued)
        n_marked = np.int64(0)
        n_rode = np.int64(0)

        # Ride every queued route from its first improved stop, each lane on its own trip.
        # A lane boards only where its label improved in the previous round: elsewhere the
        # trips it could catch were ridden when that label was set.
        for q in range(n_queued):
            route = queue[q]
            is_queued[route] = False
            first_stop = route_stop_offsets[route]
            n_route_stops = route_stop_offsets[route + 1] - first_stop
            first_trip = route_trip_offsets[route]
            n_trips = route_trip_offsets[route + 1] - first_trip
            first_time = route_time_offsets[route]
            riding = 0  # a bit per lane on board
            for position in range(route_start[route], n_route_stops):
                stop = route_stops[first_stop + position]
                # After the last ride only the walk to a destination remains.
                if riding and (k < max_rounds or has_egress[stop]):
                    rode = False
                    for lane in range(n_lanes):
                        if not riding & (1 << lane):
                            continue
                        time = arrival[first_time + trip[lane] * n_route_stops + position]
                        if time <= latest_arrival and time < ride[k, stop, lane]:
                            _improve(ride, k, stop, lane, time, max_rounds)
                            rode = True
                            if ride[max_rounds, stop, lane] == time:
                                n_improved = _mark(stop, is_improved, improved, n_improved)
                            if k < max_rounds and time < board[k, stop, lane]:
                                _improve(board, k, stop, lane, time, max_rounds)
                                n_marked = _mark_lane(stop, lane, current_lanes, current_stops, n_marked)
                    if rode:
                        n_rode = _mark(stop, is_rode, rode_stops, n_rode)
                lanes = previous_lanes[stop]
                if lanes == 0:
                    continue
                extra = board_slack + (stop_board_slack[stop] if k > 1 else 0)
                for lane in range(n_lanes):
                    if not lanes & (1 << lane):
                        continue
                    ready = board[k - 1, stop, lane] + extra
                    on_trip = riding & (1 << lane)
                    current = trip[lane] if on_trip else n_trips
                    # No trip before the one on board (or before the end) can be caught.
                    before = first_time + (current - 1) * n_route_stops + position
                    if current > 0 and departure[before] < ready:
                        continue
                    earlier = _earliest_trip(
                        departure, first_time, n_route_stops, position, 0, current, ready
                    )
                    if earlier < current:
                        trip[lane] = earlier
                        riding |= 1 << lane
        for i in range(n_previous):
            previous_lanes[previous_stops[i]] = 0

        # One walking transfer from each stop reached by vehicle in this round; none after
        # the last round, where no vehicle could be boarded at its end.
        for i in range(n_rode):
            is_rode[rode_stops[i]] = False
        if k == max_rounds or n_rode == 0:
            continue
        # Several lanes walk at once: the shortest walk to each stop is gathered for every
        # lane first (a vector operation per transfer), then compared with the labels.
        n_walked = 0
        for i in range(n_rode):
            stop = rode_stops[i]
            arrived = ride[k, stop]
            for j in range(transfer_offsets[stop], transfer_offsets[stop + 1]):
                target = transfer_to[j]
                # Listed once, without a branch: the count only grows for a new target.
                walked_stops[n_walked] = target
                n_walked += 1 - is_walked[target]
                is_walked[target] = 1
                reached = walked[target]
                seconds = transfer_time[j]
                for lane in range(n_lanes):
                    reached[lane] = min(reached[lane], arrived[lane] + seconds)
        for i in range(n_walked):
            stop = walked_stops[i]
            is_walked[stop] = 0
            reached = walked[stop]
            better = 0
            for lane in range(n_lanes):
                time = reached[lane]
                if time <= latest_arrival and time < board[k, stop, lane]:
                    _improve(board, k, stop, lane, time, max_rounds)
                    better |= 1 << lane
                reached[lane] = UNREACHED
            if better:
                n_marked = _mark_lanes(stop, better, current_lanes, current_stops, n_marked)
    for i in range(n_marked):
        marked_lanes[k % 2, marked_stops[k % 2, i]] = 0
    return n_improved


@njit(cache=True, inline="always")
def _mark_lanes(stop, lanes, marked_lanes, marked_stops, n):
    """Flag ``lanes`` (a bit mask) of ``stop``, listing it in ``marked_stops[:n]`` if new."""
    if marked_lanes[stop] == 0:
        marked_stops[n] = stop
        n += 1
    marked_lanes[stop] |= lanes
    return n


@njit(cache=True, inline="always")
def _mark_lane(stop, lane, marked_lanes, marked_stops, n):
    """Flag one lane of ``stop`` (see :func:`_mark_lanes`)."""
    return _mark_lanes(stop, np.uint64(1) << np.uint64(lane), marked_lanes, marked_stops, n)


@njit(cache=True)
def _walk_to_stops(board, lane, access_stop, access_time, start, max_rounds, work, n_marked):
    """Round 0 of one lane: label the stops walked to from its origin; return the marks."""
    marked_stops, marked_lanes = work[0][0], work[1][0]
    for i in range(access_stop.shape[0]):
        stop = access_stop[i]
        time = start + access_time[i]
        if time < board[0, stop, lane]:
            _improve(board, 0, stop, lane, time, max_rounds)
            n_marked = _mark_lane(stop, lane, marked_lanes, marked_stops, n_marked)
    return n_marked


@njit(cache=True)
def raptor_work(n_stops, n_routes, n_lanes):
    """Work arrays of :func:`run_rounds` for ``n_lanes`` lanes.

    Lists of stops and routes, with flags so that each enters its list once; allocated once
    per thread.
    """
    return (
        np.empty((2, n_stops), dtype=np.int64),  # marked_stops, by round parity
        np.zeros((2, n_stops), dtype=np.uint64),  # marked_lanes: a bit per lane
        np.empty(n_stops, dtype=np.int64),  # rode_stops
        np.zeros(n_stops, dtype=np.bool_),  # is_rode
        np.empty(n_stops, dtype=np.int64),  # improved
        np.zeros(n_stops, dtype=np.bool_),  # is_improved
        np.empty(n_routes, dtype=np.int64),  # queue
        np.empty(n_routes, dtype=np.int64),  # route_start
        np.zeros(n_routes, dtype=np.bool_),  # is_queued
        np.full((n_stops, n_lanes), UNREACHED, dtype=np.int32),  # walked
        np.empty(n_stops + 1, dtype=np.int64),  # walked_stops
        np.zeros(n_stops, dtype=np.int64),  # is_walked
        np.empty(n_lanes, dtype=np.int64),  # trip
    )


@njit(cache=True, parallel=True)
def transit_travel_times(inputs, origin_order, lanes, n_chunks):
    """Travel time from each origin to each destination, ``lanes`` origins per search.

    Returns what :func:`reachable.kernels.raptor.transit_travel_times` does.

    Parameters
    ----------
    inputs : tuple
        The arguments of :func:`reachable.kernels.raptor.transit_travel_times` before
        ``n_chunks``, in its order.
    origin_order : ndarray of int64
        The origins, ordered so that neighbours follow each other: each run of ``n_lanes``
        is searched together (the results do not depend on the order).
    lanes : tuple
        From :func:`lanes_of`: how many origins are searched together.
    n_chunks : int
        Groups of origins are split into this many interleaved chunks, one thread each at a
        time.
    """
    (
        draw_offsets, route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets, arrival,
        departure, stop_route_offsets, stop_route, stop_route_position, stop_departure_offsets,
        stop_departure, transfer_offsets, transfer_to, transfer_time, stop_board_slack, board_slack,
        access_offsets, access_stop, access_time, direct_offsets, direct_destination, direct_time,
        egress_offsets, egress_destination, egress_time, n_destinations, departures, max_rounds, max_duration,
    ) = inputs  # fmt: skip
    n_lanes = len(lanes)
    n_origins = access_offsets.shape[0] - 1
    n_draws = draw_offsets.shape[0] - 1
    n_stops = stop_board_slack.shape[0]
    n_routes_max = np.int64(1)
    for d in range(n_draws):
        n_routes_max = max(n_routes_max, draw_offsets[d + 1] - draw_offsets[d])
    n_minutes = departures.shape[0]
    n_values = n_draws * n_minutes
    result = np.empty((n_origins, n_destinations, n_values), dtype=np.int32)
    transfers = (transfer_offsets, transfer_to, transfer_time)
    has_egress = egress_offsets[1:] > egress_offsets[:-1]
    n_groups = (n_origins + n_lanes - 1) // n_lanes
    n_chunks = max(1, min(n_chunks, n_groups))
    for chunk in prange(n_chunks):
        ride = np.empty((max_rounds + 1, n_stops, n_lanes), dtype=np.int32)
        board = np.empty((max_rounds + 1, n_stops, n_lanes), dtype=np.int32)
        work = raptor_work(n_stops, n_routes_max, n_lanes)
        improved, is_improved = work[4], work[5]
        arrival_at = np.empty((n_destinations, n_lanes), dtype=np.int32)
        values = np.empty((n_lanes, n_values, n_destinations), dtype=np.int32)
        for group in range(chunk, n_groups, n_chunks):
            grouped = origin_order[group * n_lanes : (group + 1) * n_lanes]
            for d in range(n_draws):
                routes = draw_routes(
                    draw_offsets, route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets,
                    arrival, departure, stop_route_offsets, stop_route, stop_route_position,
                    stop_departure_offsets, stop_departure, d,
                )  # fmt: skip
                ride[:] = UNREACHED
                board[:] = UNREACHED
                arrival_at[:] = UNREACHED
                for m in range(n_minutes - 1, -1, -1):
                    start = departures[m]
                    latest = start + max_duration
                    n_marked = np.int64(0)
                    for lane in range(grouped.shape[0]):
                        origin = grouped[lane]
                        reach = slice(access_offsets[origin], access_offsets[origin + 1])
                        n_marked = _walk_to_stops(
                            board, lane, access_stop[reach], access_time[reach], start, max_rounds, work,
                            n_marked,
                        )  # fmt: skip
                    n_improved = run_rounds(
                        routes, transfers, stop_board_slack, board_slack, max_rounds, latest, ride, board,
                        work, n_marked, 0, lanes, has_egress,
                    )  # fmt: skip
                    for i in range(n_improved):
                        stop = improved[i]
                        is_improved[stop] = False
                        for j in range(egress_offsets[stop], egress_offsets[stop + 1]):
                            destination = egress_destination[j]
                            seconds = egress_time[j]
                            for lane in range(n_lanes):
                                arrival_at[destination, lane] = min(
                                    arrival_at[destination, lane], ride[max_rounds, stop, lane] + seconds
                                )
                    for lane in range(grouped.shape[0]):
                        origin = grouped[lane]
                        row = values[lane, d * n_minutes + m]
                        for j in range(n_destinations):
                            duration = arrival_at[j, lane] - start
                            row[j] = duration if duration <= max_duration else UNREACHED_DURATION
                        for i in range(direct_offsets[origin], direct_offsets[origin + 1]):
                            j = direct_destination[i]
                            if direct_time[i] < row[j] and direct_time[i] <= max_duration:
                                row[j] = direct_time[i]
            for lane in range(grouped.shape[0]):
                result[grouped[lane]] = values[lane].T
    return result
