"""When journeys that leave as late as possible arrive: the second half of an arrive-by search.

The backward search gives, per destination, the latest time ``LD(s)`` one may stand at each
stop ``s`` ready to board and still arrive by the deadline (its *stop leads*, ``deadline -
LD(s)``), and the latest departure from each origin: ``max over its stops of LD(s) - walk``.
The traveller leaving then stands at each stop at or after its ``LD``, so only at the stops
where the two are equal (*tight* stops) can they still arrive in time, and from a tight stop
only by a vehicle leaving exactly ``board_slack`` after ``LD(s)`` (a later one would make
``LD(s)`` later). When such a journey arrives depends on the stop and the destination, not
on the origin: the earliest arrival after boarding that trip there.

So instead of a range search per origin over its departures, this module searches once per
trip boarded that way: its boarding stops from the last to the first, keeping labels (being
on the trip earlier only adds stops to get off at), each step pruned to the stops from
which a destination asked for then or at a step still to come can be reached in time
(``LD`` again). On Porto Alegre (1,227 x 1,227 cells, 3 rides) that is 1,135 trips and
18,585 boardings where a range search per origin ran 81,000 departures: 0.3-0.4 s against 4.6 s.

Those searches cost in proportion to the destinations and the stops; with few origins in
a city of many stops, :func:`arrivals_by_origin` (a range search per origin over its own
departures) costs less (see ``arrives_by_origin`` in :mod:`reachable.routing.transit`).

Stop leads come as int32 seconds, ``UNREACHED_DURATION`` where none; other times are int64
seconds on the network's timeline.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .raptor import (
    UNREACHED,
    UNREACHED_DURATION,
    _earliest_trip,
    _improve,
    _mark,
    range_step,
    raptor_work,
    run_rounds,
)


@njit(cache=True, parallel=True)
def latest_from_stops(access, direct, stop_lead, first_column, max_duration):
    """Seconds before the deadline each origin must leave, from the stop leads.

    Parameters
    ----------
    access : tuple of ndarray of int64
        ``(offsets, stop, seconds)``, CSR per origin: the stops in reach and the walk to each.
    direct : tuple of ndarray of int64
        ``(offsets, destination, seconds)``, CSR per origin: trips without public transport.
    stop_lead : ndarray of int32, shape (n_stops, n_columns)
        Stop leads to the destinations ``first_column..first_column + n_columns``.
    first_column : int
    max_duration : int
        Seconds; longer leads are not kept.

    Returns
    -------
    ndarray of int64, shape (n_origins, n_columns)
        ``UNREACHED`` where no journey leaves within ``max_duration`` of the deadline.
    """
    access_offsets, access_stop, access_time = access
    direct_offsets, direct_destination, direct_time = direct
    n_origins = access_offsets.shape[0] - 1
    n_columns = stop_lead.shape[1]
    lead = np.empty((n_origins, n_columns), dtype=np.int64)
    for origin in prange(n_origins):
        row = lead[origin]
        row[:] = UNREACHED
        for i in range(access_offsets[origin], access_offsets[origin + 1]):
            leads = stop_lead[access_stop[i]]
            walk = access_time[i]
            for j in range(n_columns):
                row[j] = min(row[j], leads[j] + walk)
        for i in range(direct_offsets[origin], direct_offsets[origin + 1]):
            j = direct_destination[i] - first_column
            if 0 <= j < n_columns:
                row[j] = min(row[j], direct_time[i])
        for j in range(n_columns):
            if row[j] > max_duration:
                row[j] = UNREACHED
    return lead


@njit(cache=True, parallel=True)
def tight_stops(access, stop_lead, lead):
    """Which stops are tight for some origin, per destination: bool of ``stop_lead``'s shape.

    ``access`` and ``lead`` as for and from :func:`latest_from_stops`, ``lead``
    ``UNREACHED`` for the pairs not asked for.
    """
    access_offsets, access_stop, access_time = access
    n_origins = access_offsets.shape[0] - 1
    n_columns = stop_lead.shape[1]
    tight = np.zeros(stop_lead.shape, dtype=np.bool_)
    # Origins sharing a stop may flag the same entry at once: all write True.
    for origin in prange(n_origins):
        row = lead[origin]
        for i in range(access_offsets[origin], access_offsets[origin + 1]):
            stop = access_stop[i]
            leads = stop_lead[stop]
            walk = access_time[i]
            flags = tight[stop]
            for j in range(n_columns):
                if leads[j] + walk == row[j]:
                    flags[j] = True
    return tight


@njit(cache=True, parallel=True)
def tight_steps(tight, stop_lead, deadline):
    """The tight (stop, destination) pairs of :func:`tight_stops`, grouped into *steps*.

    A step is a stop and a time to stand there ready to board (``deadline`` minus the stop
    lead): one search serves all its destinations. Steps are ordered by stop, then time.

    Returns
    -------
    step_stop, step_ready, step_offsets, step_column : ndarray of int64
        Each step's stop and time, and CSR per step of the destinations (columns) asked for.
    """
    n_stops = tight.shape[0]
    counts = np.zeros(n_stops, dtype=np.int64)
    for stop in prange(n_stops):
        counts[stop] = np.count_nonzero(tight[stop])
    row_offsets = np.zeros(n_stops + 1, dtype=np.int64)
    row_offsets[1:] = np.cumsum(counts)
    step_column = np.empty(row_offsets[-1], dtype=np.int64)
    ready = np.empty(row_offsets[-1], dtype=np.int64)
    n_steps = np.zeros(n_stops, dtype=np.int64)
    for stop in prange(n_stops):
        columns = np.flatnonzero(tight[stop])
        times = deadline - stop_lead[stop][columns].astype(np.int64)
        order = np.argsort(times, kind="mergesort")
        row = slice(row_offsets[stop], row_offsets[stop + 1])
        step_column[row] = columns[order]
        ready[row] = times[order]
        for i in range(len(order)):
            if i == 0 or times[order[i]] != times[order[i - 1]]:
                n_steps[stop] += 1
    step_first = np.zeros(n_stops + 1, dtype=np.int64)
    step_first[1:] = np.cumsum(n_steps)
    step_stop = np.empty(step_first[-1], dtype=np.int64)
    step_ready = np.empty(step_first[-1], dtype=np.int64)
    step_offsets = np.empty(step_first[-1] + 1, dtype=np.int64)
    step_offsets[-1] = row_offsets[-1]
    for stop in prange(n_stops):
        step = step_first[stop]
        for i in range(row_offsets[stop], row_offsets[stop + 1]):
            if i == row_offsets[stop] or ready[i] != ready[i - 1]:
                step_stop[step], step_ready[step], step_offsets[step] = stop, ready[i], i
                step += 1
    return step_stop, step_ready, step_offsets, step_column


@njit(cache=True)
def tight_boardings(routes, board_slack, step_stop, step_time):
    """The trips leaving each stop ``step_stop`` exactly ``board_slack`` after ``step_time``.

    One per route at most (its first leaving then), as a forward search boards them.

    Returns ``(step, route, trip, position)``, int64 arrays with one entry per boarding:
    ``trip`` counts within its route, ``position`` is the stop's along the route.
    """
    route_stop_offsets, route_trip_offsets, route_time_offsets, departure = (
        routes[0], routes[2], routes[3], routes[5]
    )  # fmt: skip
    stop_route_offsets, stop_route, stop_route_position = routes[6], routes[7], routes[8]
    found = np.empty((4, 16), dtype=np.int64)
    n_found = 0
    for step in range(step_stop.shape[0]):
        stop = step_stop[step]
        ready = step_time[step] + board_slack
        for j in range(stop_route_offsets[stop], stop_route_offsets[stop + 1]):
            route, position = stop_route[j], stop_route_position[j]
            n_route_stops = route_stop_offsets[route + 1] - route_stop_offsets[route]
            n_trips = route_trip_offsets[route + 1] - route_trip_offsets[route]
            first_time = route_time_offsets[route]
            # Later trips of a route are nowhere earlier: the first leaving then is the one to take.
            trip = _earliest_trip(departure, first_time, n_route_stops, position, 0, n_trips, ready)
            if trip < n_trips and departure[first_time + trip * n_route_stops + position] == ready:
                if n_found == found.shape[1]:
                    grown = np.empty((4, 2 * n_found), dtype=np.int64)
                    grown[:, :n_found] = found
                    found = grown
                found[0, n_found], found[1, n_found] = step, route
                found[2, n_found], found[3, n_found] = trip, position
                n_found += 1
    return found[0, :n_found], found[1, :n_found], found[2, :n_found], found[3, :n_found]


@njit(cache=True)
def _get_off(
    routes,
    transfers,
    max_rounds,
    deadline,
    ride,
    board,
    work,
    has_egress,
    bound,
    times,
    first_stop,
    first,
    last,
):
    """Round 1 on one trip: get off at the stops ``first..last - 1`` along its route, then walk.

    ``times`` is where the trip's times start in ``arrival``. Returns how many stops were
    marked for round 2.
    """
    route_stops, arrival = routes[1], routes[4]
    transfer_offsets, transfer_to, transfer_time = transfers
    marked_stops, is_marked = work[0], work[1]
    n_marked = np.int64(0)
    for position in range(first, last):
        stop = route_stops[first_stop + position]
        time = arrival[times + position]
        if time > deadline:
            break  # a trip's arrivals never decrease along its route
        if not (max_rounds > 1 or has_egress[stop]) or time >= ride[1, stop]:
            continue
        _improve(ride, 1, stop, time, max_rounds)
        if max_rounds == 1:
            continue
        if time < board[1, stop] and time <= bound[stop]:
            _improve(board, 1, stop, time, max_rounds)
            n_marked = _mark(stop, is_marked, marked_stops, n_marked)
        for j in range(transfer_offsets[stop], transfer_offsets[stop + 1]):
            target = transfer_to[j]
            walked = time + transfer_time[j]
            if walked <= deadline and walked < board[1, target] and walked <= bound[target]:
                _improve(board, 1, target, walked, max_rounds)
                n_marked = _mark(target, is_marked, marked_stops, n_marked)
    return n_marked


@njit(cache=True)
def _bounds(bounds, first, last, boarding_step, step_offsets, step_column, stop_lead_rows, is_asked, least,
            deadline):  # fmt: skip
    """The latest useful time at each stop for the boardings ``first..last - 1`` of a trip.

    A stop matters at a boarding only if a destination asked for then or at a boarding still
    to come (earlier along the trip) can be reached from it in time: labels kept for those
    boardings thus miss nothing, and the bound tightens as the destinations are served.
    Bounds are kept for the last boarding, the last two, four, eight... and all of them (a
    few rows of ``n_stops`` rather than one per boarding): ``bounds[r]`` serves the
    boardings ``2**(r - 1)`` to ``2**r - 1`` places before the last, ``bounds[0]`` the last
    (see :func:`_bound_row`). ``least`` (int32, n_stops) is work space.
    """
    least[:] = UNREACHED_DURATION
    n_boardings = last - first
    kept = 1
    row = 0
    for k in range(n_boardings):
        step = boarding_step[last - 1 - k]
        for i in range(step_offsets[step], step_offsets[step + 1]):
            j = step_column[i]
            if not is_asked[j]:
                is_asked[j] = True
                leads = stop_lead_rows[j]
                for stop in range(least.shape[0]):
                    least[stop] = min(least[stop], leads[stop])
        if k + 1 == kept or k == n_boardings - 1:
            bound = bounds[row]
            for stop in range(least.shape[0]):
                bound[stop] = deadline - least[stop]
            row += 1
            kept *= 2
    for b in range(first, last):
        step = boarding_step[b]
        for i in range(step_offsets[step], step_offsets[step + 1]):
            is_asked[step_column[i]] = False


@njit(cache=True, inline="always")
def _bound_row(from_last, n_boardings):
    """The row of :func:`_bounds` for the boarding ``from_last`` places before a trip's last."""
    row = 0
    while (1 << row) < from_last + 1 and (1 << row) < n_boardings:
        row += 1
    return row


@njit(cache=True, inline="always")
def _walked_in(arrived, egress, destination, best, deadline):
    """The earliest of ``best`` and the walks from the stops reached at ``arrived`` to ``destination``.

    ``egress`` is the CSR ``(offsets, stop, seconds)`` per destination; ``UNREACHED`` when
    after ``deadline``.
    """
    offsets, stop, seconds = egress
    for e in range(offsets[destination], offsets[destination + 1]):
        best = min(best, arrived[stop[e]] + seconds[e])
    return best if best <= deadline else UNREACHED


@njit(cache=True, parallel=True)
def arrivals_after_boarding(
    routes,
    transfers,
    stop_board_slack,
    board_slack,
    trip_route,
    trip_index,
    boarding_offsets,
    boarding_position,
    boarding_step,
    step_stop,
    step_offsets,
    step_column,
    stop_lead_rows,
    egress,
    max_rounds,
    deadline,
    n_chunks,
):
    """The earliest arrival at destinations after boarding trips at some of their stops.

    Parameters
    ----------
    routes, transfers, stop_board_slack, board_slack :
        One draw's routes and the walking transfers, as in
        :func:`reachable.kernels.raptor.run_rounds`.
    trip_route, trip_index : ndarray of int64, shape (n_trips,)
        Each trip boarded: its route and its rank among the route's trips.
    boarding_offsets, boarding_position, boarding_step : ndarray of int64
        CSR per trip: the positions along its route where it is boarded, decreasing, and the
        step of :func:`tight_steps` each boarding serves.
    step_stop, step_offsets, step_column : ndarray of int64
        The steps' stops and destinations, from :func:`tight_steps`.
    stop_lead_rows : ndarray of int32, shape (n_columns, n_stops)
        The stop leads of the destinations (see the module docstring): they bound the search.
    egress : tuple of ndarray of int64
        ``(offsets, stop, seconds)``, CSR per destination: the stops within walking range and
        the walk from each.
    max_rounds : int
        Largest number of rides, the boarded trip included.
    deadline : int
        Seconds; later arrivals are not searched.
    n_chunks : int
        Trips are split into this many interleaved chunks, one thread each at a time.

    Returns
    -------
    ndarray of int32, shape (n_stops, n_columns)
        The earliest arrival at each destination after boarding at each step's stop (of any
        trip leaving it then); ``UNREACHED`` elsewhere, or where none arrives by ``deadline``.
    """
    route_stop_offsets = routes[0]
    n_columns, n_stops = stop_lead_rows.shape
    n_trips = trip_route.shape[0]
    n_boardings = boarding_step.shape[0]
    # Each boarding's results, apart: trips leaving a stop at the same second may be searched at once.
    result_offsets = np.zeros(n_boardings + 1, dtype=np.int64)
    for b in range(n_boardings):
        step = boarding_step[b]
        result_offsets[b + 1] = result_offsets[b] + step_offsets[step + 1] - step_offsets[step]
    result = np.empty(result_offsets[-1], dtype=np.int64)
    n_chunks = max(1, min(n_chunks, n_trips))
    has_egress = np.zeros(n_stops, dtype=np.bool_)
    has_egress[egress[1]] = True  # egress's stops: some destination is walked to from them
    no_parent = np.empty((0, 0), dtype=np.int64)
    most_boardings = 0
    for t in range(n_trips):
        most_boardings = max(most_boardings, boarding_offsets[t + 1] - boarding_offsets[t])
    for chunk in prange(n_chunks):
        ride = np.empty((max_rounds + 1, n_stops), dtype=np.int64)
        board = np.empty((max_rounds + 1, n_stops), dtype=np.int64)
        work = raptor_work(n_stops, route_stop_offsets.shape[0] - 1)
        improved = np.empty(n_stops, dtype=np.int64)
        bounds = np.empty((_bound_row(most_boardings - 1, most_boardings) + 1, n_stops), dtype=np.int64)
        least = np.empty(n_stops, dtype=np.int32)
        is_asked = np.zeros(n_columns, dtype=np.bool_)
        arrived = ride[max_rounds]
        for t in range(chunk, n_trips, n_chunks):
            ride[:] = UNREACHED
            board[:] = UNREACHED
            first, last = boarding_offsets[t], boarding_offsets[t + 1]
            _bounds(bounds, first, last, boarding_step, step_offsets, step_column, stop_lead_rows, is_asked,
                    least, deadline)  # fmt: skip
            route = trip_route[t]
            first_stop = route_stop_offsets[route]
            n_route_stops = route_stop_offsets[route + 1] - first_stop
            times = routes[3][route] + trip_index[t] * n_route_stops
            # Boarded one stop earlier, one more stop to get off at: the labels only improve.
            open_until = n_route_stops
            for b in range(first, last):
                position = boarding_position[b]
                bound = bounds[_bound_row(last - 1 - b, last - first)]
                n_marked = _get_off(
                    routes, transfers, max_rounds, deadline, ride, board, work, has_egress, bound, times,
                    first_stop, position + 1, open_until,
                )  # fmt: skip
                open_until = min(open_until, position + 1)
                run_rounds(
                    routes, transfers, stop_board_slack, board_slack, max_rounds, deadline, ride, board, work,
                    n_marked, improved, 0, no_parent, no_parent, no_parent, has_egress, np.int64(2), bound,
                )  # fmt: skip
                step = boarding_step[b]
                at = result_offsets[b] - step_offsets[step]
                for i in range(step_offsets[step], step_offsets[step + 1]):
                    result[at + i] = _walked_in(arrived, egress, step_column[i], UNREACHED, deadline)
    after = np.full((n_stops, n_columns), UNREACHED, dtype=np.int32)  # seconds fit, up to 68 years
    for b in range(n_boardings):
        step = boarding_step[b]
        stop = step_stop[step]
        at = result_offsets[b] - step_offsets[step]
        for i in range(step_offsets[step], step_offsets[step + 1]):
            j = step_column[i]
            after[stop, j] = min(after[stop, j], result[at + i])
    return after


@njit(cache=True, parallel=True)
def arrivals_of_pairs(access, direct, stop_lead, lead, after, first_column, deadline):
    """When the journey leaving each origin at its latest departure arrives.

    ``access``, ``direct``, ``stop_lead`` and ``lead`` as in :func:`latest_from_stops`;
    ``after`` (int32, the shape of ``stop_lead``) holds the earliest arrival after boarding
    at each tight stop. A trip without public transport that is itself the latest arrives at
    the deadline.

    Returns
    -------
    ndarray of int64, the shape of ``lead``
        Seconds on the timeline; ``UNREACHED`` where ``lead`` is.
    """
    access_offsets, access_stop, access_time = access
    direct_offsets, direct_destination, direct_time = direct
    n_origins = access_offsets.shape[0] - 1
    n_columns = stop_lead.shape[1]
    arrival = np.empty(lead.shape, dtype=np.int64)
    for origin in prange(n_origins):
        row = lead[origin]
        out = arrival[origin]
        out[:] = UNREACHED
        for i in range(direct_offsets[origin], direct_offsets[origin + 1]):
            j = direct_destination[i] - first_column
            if 0 <= j < n_columns and direct_time[i] == row[j]:
                out[j] = deadline
        for i in range(access_offsets[origin], access_offsets[origin + 1]):
            stop = access_stop[i]
            leads = stop_lead[stop]
            arrivals = after[stop]
            walk = access_time[i]
            for j in range(n_columns):
                if leads[j] + walk == row[j]:
                    out[j] = min(out[j], arrivals[j])
    return arrival


@njit(cache=True, parallel=True)
def arrivals_by_origin(
    routes,
    transfers,
    stop_board_slack,
    board_slack,
    access,
    direct,
    egress_in,
    leave_offsets,
    leave_time,
    asked_offsets,
    asked_destination,
    n_destinations,
    max_rounds,
    deadline,
    n_chunks,
):
    """Earliest arrivals at some destinations, each for its own departure from each origin.

    A range search per origin over its departures (latest first, keeping labels): cheaper
    than :func:`arrivals_after_boarding` for few origins in a city of many stops, whose cost
    grows with the destinations and the stops.

    Parameters
    ----------
    routes, transfers, stop_board_slack, board_slack :
        One draw's routes and the walking transfers, as in
        :func:`reachable.kernels.raptor.run_rounds`.
    access, direct : tuple of ndarray of int64
        As in :func:`latest_from_stops`.
    egress_in : tuple of ndarray of int64
        ``(offsets, stop, seconds)``, CSR per destination: the stops within walking range and
        the walk from each.
    leave_offsets, leave_time : ndarray of int64
        CSR per origin: its departures in seconds, increasing.
    asked_offsets, asked_destination : ndarray of int64
        CSR per departure (in ``leave_time`` order): the destinations whose arrival is asked
        for when leaving then.
    n_destinations, max_rounds, n_chunks :
        As in :func:`transit_travel_times`.
    deadline : int
        Seconds: later arrivals are pruned (the departures asked for all arrive by then).

    Returns
    -------
    ndarray of int64, shape (len(asked_destination),)
        The earliest arrival for each asked destination, :data:`UNREACHED` where none by
        ``deadline``.
    """
    access_offsets, access_stop, access_time = access
    direct_offsets, direct_destination, direct_time = direct
    n_origins = access_offsets.shape[0] - 1
    n_stops = stop_board_slack.shape[0]
    n_routes = routes[0].shape[0] - 1
    result = np.full(asked_destination.shape[0], UNREACHED, dtype=np.int64)
    n_chunks = max(1, min(n_chunks, n_origins))
    # Each destination's walks from the stops are looked up when its departure is searched,
    # rather than pushed from every improved stop at every departure.
    has_egress = np.zeros(n_stops, dtype=np.bool_)
    _, egress_in_stop, egress_in_time = egress_in
    has_egress[egress_in_stop] = True
    no_egress = (np.zeros(n_stops + 1, dtype=np.int64), egress_in_stop[:0], egress_in_time[:0])
    for chunk in prange(n_chunks):
        ride = np.empty((max_rounds + 1, n_stops), dtype=np.int64)
        board = np.empty((max_rounds + 1, n_stops), dtype=np.int64)
        work = raptor_work(n_stops, max(n_routes, 1))
        improved = np.empty(n_stops, dtype=np.int64)
        no_arrival = np.empty(0, dtype=np.int64)
        walk_to = np.full(n_destinations, UNREACHED, dtype=np.int64)
        arrived = ride[max_rounds]
        for origin in range(chunk, n_origins, n_chunks):
            ride[:] = UNREACHED
            board[:] = UNREACHED
            for i in range(direct_offsets[origin], direct_offsets[origin + 1]):
                j = direct_destination[i]
                walk_to[j] = min(walk_to[j], direct_time[i])
            reach = slice(access_offsets[origin], access_offsets[origin + 1])
            for m in range(leave_offsets[origin + 1] - 1, leave_offsets[origin] - 1, -1):
                start = leave_time[m]
                range_step(
                    routes, transfers, stop_board_slack, board_slack, max_rounds, deadline, ride, board, work,
                    improved, has_egress, no_egress, no_arrival, access_stop[reach], access_time[reach],
                    start,
                )  # fmt: skip
                for i in range(asked_offsets[m], asked_offsets[m + 1]):
                    j = asked_destination[i]
                    result[i] = _walked_in(arrived, egress_in, j, start + walk_to[j], deadline)
            for i in range(direct_offsets[origin], direct_offsets[origin + 1]):
                walk_to[direct_destination[i]] = UNREACHED
    return result
