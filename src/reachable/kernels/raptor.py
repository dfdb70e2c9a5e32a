"""Range RAPTOR on plain arrays: earliest arrivals by public transport, per departure minute.

The timetable is a set of *routes*: trips that call at the same stops in the same order and
never overtake each other. Route ``r`` calls at ``route_stops[route_stop_offsets[r]:...]``
(``S`` stops) and runs trips ``route_trip_offsets[r]:...`` (``T`` trips, sorted by time);
the arrival and departure of its ``t``-th trip at its ``s``-th stop are at
``route_time_offsets[r] + t * S + s`` of ``arrival`` and ``departure`` (seconds since
midnight of the service day). ``stop_route_offsets`` / ``stop_route`` /
``stop_route_position`` list the routes calling at each stop.

Times are int64 seconds. Labels are kept per round (``k`` rides at most) and come in two
kinds: arrival *by vehicle* (a journey may leave the network on foot from there) and arrival
after the walking transfer of that round (a journey may board from there). A walking leg
never follows another: access, then rides separated by at most one walk each, then egress.

Departure minutes are processed from the latest to the earliest, keeping labels between
them (Delling, Pajor and Werneck 2012, "Round-Based Public Transit Routing"): an arrival
reachable when leaving later is reachable when leaving earlier, so each earlier minute only
works on what it improves. One origin is searched at a time; :mod:`.raptor_lanes` searches
neighbouring origins together, which pays for single departures.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

UNREACHED = np.int64(2**30)
"""Label of a stop or destination not reached: far above any time of day, with room below
2**31 to add walking times to it in int32 labels (see :mod:`.raptor_lanes`)."""

UNREACHED_DURATION = np.int32(2**31 - 1)
"""Duration of a trip not made within the time budget, in the int32 durations returned."""


@njit(cache=True, inline="always")
def _improve(labels, round_, stop, time, n_rounds):
    """Write ``time`` into rounds ``round_..n_rounds`` where it is earlier.

    A label of round k holds the best arrival with at most k rides, so fewer rides count too.
    """
    for k in range(round_, n_rounds + 1):
        if time < labels[k, stop]:
            labels[k, stop] = time
        else:
            break


@njit(cache=True)
def _mark(stop, flags, stops, n):
    """Append ``stop`` to ``stops[:n]`` unless flagged; return the new length."""
    if not flags[stop]:
        flags[stop] = True
        stops[n] = stop
        n += 1
    return n


@njit(cache=True)
def _earliest_trip(departure, first_time, n_stops_in_route, position, low, high, ready):
    """Index in ``[low, high)`` of the first trip leaving ``position`` at or after ``ready``.

    ``high`` when none does; trips are sorted and never overtake, so a bisection finds it.
    """
    while low < high:
        middle = (low + high) // 2
        if departure[first_time + middle * n_stops_in_route + position] >= ready:
            high = middle
        else:
            low = middle + 1
    return low


@njit(cache=True)
def queue_routes(marked_stops, n_marked, routes, queue, route_start, is_queued):
    """List in ``queue`` the routes calling at ``marked_stops[:n_marked]``; return how many.

    ``route_start`` gets each route's first position at a marked stop, where its scan starts;
    ``is_queued`` flags the listed routes (the scan clears it). ``routes`` as in
    :func:`run_rounds`.
    """
    stop_route_offsets, stop_route, stop_route_position = routes[6], routes[7], routes[8]
    n_queued = 0
    for i in range(n_marked):
        stop = marked_stops[i]
        for j in range(stop_route_offsets[stop], stop_route_offsets[stop + 1]):
            route = stop_route[j]
            position = stop_route_position[j]
            if not is_queued[route]:
                is_queued[route] = True
                route_start[route] = position
                queue[n_queued] = route
                n_queued += 1
            elif position < route_start[route]:
                route_start[route] = position
    return n_queued


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
    improved,
    n_improved,
    parent_trip,
    parent_board,
    parent_from,
    has_egress,
    first_round,
    board_bound,
):
    """Run RAPTOR rounds ``first_round..max_rounds`` from the stops marked in the round before.

    Parameters
    ----------
    routes : tuple of ndarray
        ``(route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets, arrival,
        departure, stop_route_offsets, stop_route, stop_route_position)``, as described in
        the module docstring.
    transfers : tuple of ndarray
        ``(offsets, to_stop, seconds)``: walking transfers between stops, CSR per stop.
    ride, board : ndarray of int64, shape (max_rounds + 1, n_stops)
        Labels: arrival by vehicle, and the time from which a vehicle may be boarded (after
        the round's walking transfer), with at most k rides. Updated in place.
    work : RaptorWork
        Marks and queues (see :func:`raptor_work`); ``work.marked_stops[:n_marked]`` are
        the stops whose ``board`` label improved in round ``first_round - 1``.
    improved : ndarray of int64
        Appended with every stop whose ``ride[max_rounds]`` label improved (for egress),
        from index ``n_improved``; ``work.is_improved`` flags them.
    stop_board_slack : ndarray of int64, shape (n_stops,)
        Extra seconds needed to board at each stop after a ride (``transfers.txt``
        same-stop ``min_transfer_time``), beyond ``board_slack``.
    latest_arrival : int
        Arrivals after this are pruned (departure + the time budget).
    parent_trip, parent_board, parent_from : ndarray of int64, shape (max_rounds + 1, n_stops)
        When ``parent_trip`` has rows, the journey is recorded for itineraries: the route
        trip ridden to arrive at a stop and the stop where it was boarded, and the stop a
        transfer walked from (-1 when the board label came by vehicle). Pass (0, 0) arrays
        to skip.
    has_egress : ndarray of bool, shape (n_stops,)
        Stops that a journey may leave on foot for a destination: only their arrivals are
        kept in the last round, where no other use of a stop remains (``board`` labels of
        the last round are not kept either).
    first_round : int
        1, or later when the caller made the first rides itself.
    board_bound : ndarray of int64, shape (n_stops,) or (0,)
        When given, a stop whose ``board`` label would be later than its bound is left
        alone: from there no destination still asked for can be reached in time.

    Returns
    -------
    int
        The new number of improved stops.
    """
    route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets, arrival, departure = routes[:6]
    transfer_offsets, transfer_to, transfer_time = transfers
    marked_stops, is_marked, rode_stops, is_rode, queue, route_start, is_queued, is_improved = work
    track = parent_trip.shape[0] > 0
    bounded = board_bound.shape[0] > 0
    for k in range(first_round, max_rounds + 1):
        if n_marked == 0:
            break
        n_queued = queue_routes(marked_stops, n_marked, routes, queue, route_start, is_queued)
        for i in range(n_marked):
            is_marked[marked_stops[i]] = False
        n_marked = np.int64(0)
        n_rode = 0

        # Ride every queued route from its first improved stop.
        for q in range(n_queued):
            route = queue[q]
            is_queued[route] = False
            first_stop = route_stop_offsets[route]
            n_route_stops = route_stop_offsets[route + 1] - first_stop
            first_trip = route_trip_offsets[route]
            n_trips = route_trip_offsets[route + 1] - first_trip
            first_time = route_time_offsets[route]
            trip = n_trips  # none boarded yet
            boarded_at = -1
            for position in range(route_start[route], n_route_stops):
                stop = route_stops[first_stop + position]
                # After the last ride only the walk to a destination remains.
                if trip < n_trips and (k < max_rounds or has_egress[stop]):
                    time = arrival[first_time + trip * n_route_stops + position]
                    if time <= latest_arrival and time < ride[k, stop]:
                        _improve(ride, k, stop, time, max_rounds)
                        if not is_rode[stop]:
                            is_rode[stop] = True
                            rode_stops[n_rode] = stop
                            n_rode += 1
                        if track:
                            parent_trip[k, stop] = first_trip + trip
                            parent_board[k, stop] = boarded_at
                        if ride[max_rounds, stop] == time and not is_improved[stop]:
                            is_improved[stop] = True
                            improved[n_improved] = stop
                            n_improved += 1
                        if (
                            k < max_rounds
                            and time < board[k, stop]
                            and (not bounded or time <= board_bound[stop])
                        ):
                            _improve(board, k, stop, time, max_rounds)
                            if track:
                                parent_from[k, stop] = -1
                            if not is_marked[stop]:
                                is_marked[stop] = True
                                marked_stops[n_marked] = stop
                                n_marked += 1
                previous = board[k - 1, stop]
                if previous >= UNREACHED:
                    continue
                ready = previous + board_slack + (stop_board_slack[stop] if k > 1 else 0)
                # No trip before the one on board (or before the end) can be caught: keep it.
                if trip > 0 and departure[first_time + (trip - 1) * n_route_stops + position] < ready:
                    continue
                earlier = _earliest_trip(departure, first_time, n_route_stops, position, 0, trip, ready)
                if earlier < trip:
                    trip = earlier
                    boarded_at = stop

        # One walking transfer from each stop reached by vehicle in this round; none after
        # the last round, where no vehicle could be boarded at its end.
        for i in range(n_rode):
            stop = rode_stops[i]
            is_rode[stop] = False
            if k == max_rounds:
                continue
            arrived = ride[k, stop]
            for j in range(transfer_offsets[stop], transfer_offsets[stop + 1]):
                target = transfer_to[j]
                time = arrived + transfer_time[j]
                if (
                    time <= latest_arrival
                    and time < board[k, target]
                    and (not bounded or time <= board_bound[target])
                ):
                    _improve(board, k, target, time, max_rounds)
                    if track:
                        parent_from[k, target] = stop
                    if not is_marked[target]:
                        is_marked[target] = True
                        marked_stops[n_marked] = target
                        n_marked += 1
    for i in range(n_marked):
        is_marked[marked_stops[i]] = False
    return n_improved


@njit(cache=True)
def _walk_to_stops(board, access_stop, access_time, start, max_rounds, work):
    """Round 0: label the stops walked to from the origin; return how many were marked."""
    marked_stops, is_marked = work[0], work[1]
    n_marked = np.int64(0)
    for i in range(access_stop.shape[0]):
        stop = access_stop[i]
        time = start + access_time[i]
        if time < board[0, stop]:
            _improve(board, 0, stop, time, max_rounds)
            if not is_marked[stop]:
                is_marked[stop] = True
                marked_stops[n_marked] = stop
                n_marked += 1
    return n_marked


@njit(cache=True)
def _walk_to_new_trips(board, access_stop, access_time, start, max_rounds, work, board_slack, routes):
    """Round 0 of a range search: label the stops walked to; mark those where it helps.

    Leaving earlier improves the label of every stop walked to, but a stop whose better label
    lets no other vehicle be caught there (none leaves between the new time and the old,
    plus the slack) changes no ride: it is labelled and left unmarked, so its routes are
    not scanned again.
    """
    stop_departure_offsets, stop_departure = routes[9], routes[10]
    marked_stops, is_marked = work[0], work[1]
    n_marked = np.int64(0)
    for i in range(access_stop.shape[0]):
        stop = access_stop[i]
        time = start + access_time[i]
        old = board[0, stop]
        if time >= old:
            continue
        _improve(board, 0, stop, time, max_rounds)
        first, last = stop_departure_offsets[stop], stop_departure_offsets[stop + 1]
        # The first departure at or after the new time, plus the slack.
        low, high = first, last
        while low < high:
            middle = (low + high) // 2
            if stop_departure[middle] >= time + board_slack:
                high = middle
            else:
                low = middle + 1
        if (
            low < last
            and (old >= UNREACHED or stop_departure[low] < old + board_slack)
            and not is_marked[stop]
        ):
            is_marked[stop] = True
            marked_stops[n_marked] = stop
            n_marked += 1
    return n_marked


@njit(cache=True)
def raptor_work(n_stops, n_routes):
    """Work arrays of :func:`run_rounds`, allocated once per thread.

    Lists of stops and routes, with flags so that each enters its list once.
    """
    return (
        np.empty(n_stops, dtype=np.int64),  # marked_stops
        np.zeros(n_stops, dtype=np.bool_),  # is_marked
        np.empty(n_stops, dtype=np.int64),  # rode_stops
        np.zeros(n_stops, dtype=np.bool_),  # is_rode
        np.empty(n_routes, dtype=np.int64),  # queue
        np.empty(n_routes, dtype=np.int64),  # route_start
        np.zeros(n_routes, dtype=np.bool_),  # is_queued
        np.zeros(n_stops, dtype=np.bool_),  # is_improved
    )


@njit(cache=True)
def draw_routes(
    draw_offsets, route_stop_offsets, route_stops, route_trip_offsets, route_time_offsets, arrival, departure,
    stop_route_offsets, stop_route, stop_route_position, stop_departure_offsets, stop_departure, draw,
):  # fmt: skip
    """The ``routes`` tuple of :func:`run_rounds` for one of the draws stacked together.

    See ``draw_offsets`` in :func:`transit_travel_times`; the tuple ends with the draw's
    departures per stop, for :func:`range_step`.
    """
    n_draws = draw_offsets.shape[0] - 1
    n_stops = stop_route_offsets.shape[0] // n_draws - 1
    first_route = draw_offsets[draw]
    own = slice(first_route + draw, draw_offsets[draw + 1] + draw + 1)
    stops = slice(draw * (n_stops + 1), (draw + 1) * (n_stops + 1))
    return (
        route_stop_offsets[own], route_stops, route_trip_offsets[own], route_time_offsets[own], arrival,
        departure, stop_route_offsets[stops], stop_route, stop_route_position, stop_departure_offsets[stops],
        stop_departure,
    )  # fmt: skip


@njit(cache=True)
def range_step(
    routes, transfers, stop_board_slack, board_slack, max_rounds, latest_arrival, ride, board, work, improved,
    has_egress, egress, arrival_at, access_stop, access_time, start,
):  # fmt: skip
    """One departure of a range search from one origin: walk, ride, then lower ``arrival_at``.

    Labels are kept from the later departures already searched (see the module docstring).
    """
    n_marked = _walk_to_new_trips(
        board, access_stop, access_time, start, max_rounds, work, board_slack, routes
    )
    no_parent = np.empty((0, 0), dtype=np.int64)
    n_improved = run_rounds(
        routes, transfers, stop_board_slack, board_slack, max_rounds, latest_arrival, ride, board, work,
        n_marked, improved, 0, no_parent, no_parent, no_parent, has_egress, np.int64(1),
        np.empty(0, dtype=np.int64),
    )  # fmt: skip
    walk_to_destinations(improved, n_improved, work[7], ride[max_rounds], egress, arrival_at)


@njit(cache=True)
def walk_to_destinations(improved, n_improved, is_improved, arrived, egress, arrival_at):
    """Lower ``arrival_at`` by the walks from the ``improved`` stops, reached at ``arrived``.

    ``egress`` is the CSR ``(offsets, destination, seconds)`` per stop; the flags of the
    improved stops are cleared for the next search.
    """
    egress_offsets, egress_destination, egress_time = egress
    for i in range(n_improved):
        stop = improved[i]
        is_improved[stop] = False
        for j in range(egress_offsets[stop], egress_offsets[stop + 1]):
            destination = egress_destination[j]
            time = arrived[stop] + egress_time[j]
            if time < arrival_at[destination]:
                arrival_at[destination] = time


@njit(cache=True, parallel=True)
def transit_travel_times(
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
    transfer_offsets,
    transfer_to,
    transfer_time,
    stop_board_slack,
    board_slack,
    access_offsets,
    access_stop,
    access_time,
    direct_offsets,
    direct_destination,
    direct_time,
    egress_offsets,
    egress_destination,
    egress_time,
    n_destinations,
    departures,
    max_rounds,
    max_duration,
    n_chunks,
):
    """Travel time from each origin to each destination at every departure minute.

    Parameters
    ----------
    draw_offsets : ndarray of int64, shape (n_draws + 1,)
        The timetable arrays hold one set of routes per draw of frequency phases: draw ``d``
        owns routes ``draw_offsets[d]:draw_offsets[d + 1]`` (``route_*_offsets`` have
        ``n_routes + 1`` entries per draw, at ``draw_offsets[d] + d``), and
        ``stop_route_offsets`` has ``n_stops + 1`` entries per draw, at ``d * (n_stops + 1)``.
    stop_departure_offsets, stop_departure :
        Every trip's departure from each stop, sorted, CSR per stop (per draw, laid out as
        ``stop_route_offsets``).
    transfer_offsets, transfer_to, transfer_time :
        CSR of walking transfers between stops, seconds.
    stop_board_slack, board_slack :
        See :func:`run_rounds`.
    access_offsets, access_stop, access_time :
        CSR per origin: stops within walking range and the walk in seconds.
    direct_offsets, direct_destination, direct_time :
        CSR per origin: destinations reachable on foot alone, seconds.
    egress_offsets, egress_destination, egress_time :
        CSR per stop: destinations within walking range, seconds.
    n_destinations : int
    departures : ndarray of int64
        Departure times in seconds, increasing (one per minute of the window).
    max_rounds : int
        Largest number of rides (transfers + 1).
    max_duration : int
        Seconds; longer journeys are not searched.
    n_chunks : int
        Origins are split into this many interleaved chunks, one thread each at a time.

    Returns
    -------
    ndarray of int32, shape (n_origins, n_destinations, n_draws * n_departures)
        Seconds per destination for each (draw, departure minute), in that order;
        :data:`UNREACHED_DURATION` where not reached within ``max_duration``. Each row is
        contiguous, ready for a vectorised sort (percentiles are taken by the caller).
    """
    n_origins = access_offsets.shape[0] - 1
    n_draws = draw_offsets.shape[0] - 1
    n_stops = stop_board_slack.shape[0]
    n_routes_max = np.int64(1)
    for d in range(n_draws):
        n_routes_max = max(n_routes_max, draw_offsets[d + 1] - draw_offsets[d])
    n_minutes = departures.shape[0]
    n_values = n_draws * n_minutes
    result = np.empty((n_origins, n_destinations, n_values), dtype=np.int32)
    n_chunks = max(1, min(n_chunks, n_origins))
    transfers = (transfer_offsets, transfer_to, transfer_time)
    egress = (egress_offsets, egress_destination, egress_time)
    has_egress = egress_offsets[1:] > egress_offsets[:-1]
    for chunk in prange(n_chunks):
        ride = np.empty((max_rounds + 1, n_stops), dtype=np.int64)
        board = np.empty((max_rounds + 1, n_stops), dtype=np.int64)
        work = raptor_work(n_stops, n_routes_max)
        improved = np.empty(n_stops, dtype=np.int64)
        arrival_at = np.empty(n_destinations, dtype=np.int64)
        values = np.empty((n_values, n_destinations), dtype=np.int32)
        for origin in range(chunk, n_origins, n_chunks):
            reach = slice(access_offsets[origin], access_offsets[origin + 1])
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
                    range_step(
                        routes, transfers, stop_board_slack, board_slack, max_rounds, start + max_duration,
                        ride, board, work, improved, has_egress, egress, arrival_at, access_stop[reach],
                        access_time[reach], start,
                    )  # fmt: skip
                    row = values[d * n_minutes + m]
                    for j in range(n_destinations):
                        duration = arrival_at[j] - start
                        row[j] = duration if duration <= max_duration else UNREACHED_DURATION
                    for i in range(direct_offsets[origin], direct_offsets[origin + 1]):
                        j = direct_destination[i]
                        if direct_time[i] < row[j] and direct_time[i] <= max_duration:
                            row[j] = direct_time[i]
            result[origin] = values.T
    return result


@njit(cache=True)
def journey_labels(
    routes, transfers, stop_board_slack, board_slack, access_stop, access_time, start, max_rounds,
    max_duration,
):  # fmt: skip
    """RAPTOR labels and parents of one departure from one origin, for itineraries.

    ``routes``, ``transfers``, ``stop_board_slack`` and ``board_slack`` as in
    :func:`run_rounds` (``routes`` with the stops' departures too, as the other searches
    pass them: run_rounds compiles once for all). Returns ``(ride, board, parent_trip,
    parent_board, parent_from)``, each of shape ``(max_rounds + 1, n_stops)`` (see
    :func:`run_rounds`); ``ride`` is kept at every stop.
    """
    n_stops = stop_board_slack.shape[0]
    n_routes = routes[0].shape[0] - 1
    ride = np.full((max_rounds + 1, n_stops), UNREACHED, dtype=np.int64)
    board = np.full((max_rounds + 1, n_stops), UNREACHED, dtype=np.int64)
    parent_trip = np.full((max_rounds + 1, n_stops), -1, dtype=np.int64)
    parent_board = np.full((max_rounds + 1, n_stops), -1, dtype=np.int64)
    parent_from = np.full((max_rounds + 1, n_stops), -1, dtype=np.int64)
    work = raptor_work(n_stops, max(n_routes, 1))
    n_marked = _walk_to_stops(board, access_stop, access_time, start, max_rounds, work)
    improved = np.empty(n_stops, dtype=np.int64)
    run_rounds(
        routes, transfers, stop_board_slack, board_slack, max_rounds, start + max_duration, ride, board, work,
        n_marked, improved, 0, parent_trip, parent_board, parent_from, np.ones(n_stops, dtype=np.bool_),
        np.int64(1), np.empty(0, dtype=np.int64),
    )  # fmt: skip
    return ride, board, parent_trip, parent_board, parent_from
