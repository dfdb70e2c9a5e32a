"""A brute-force public transport search, independent of RAPTOR, for the tests.

It scans every trip in every round (no routes, no pattern grouping, no labels kept between
departure minutes) with the semantics the library documents:

- access: walk from the origin to any stop within the walking limit;
- a ride boards trip T at its i-th stop when the stop is reached ``board_slack`` seconds (plus
  the stop's same-stop transfer time after a ride) before T leaves it;
- after each ride, at most one walking transfer to another stop;
- egress: walk from a stop reached by vehicle to the destination;
- the walk-only trip counts when within the walking limit; an origin at its destination is 0.
"""

from __future__ import annotations

import numpy as np

INF = np.iinfo(np.int64).max // 4


def csr_rows(offsets, targets, seconds):
    """Rows of a CSR as lists of (target, seconds)."""
    return [
        list(
            zip(
                targets[offsets[i] : offsets[i + 1]].tolist(),
                seconds[offsets[i] : offsets[i + 1]].tolist(),
                strict=True,
            )
        )
        for i in range(len(offsets) - 1)
    ]


def earliest_arrivals(
    timetable, departure, access, transfers, board_extra, egress, n_destinations, *, max_rounds, board_slack
):
    """Arrival time at every destination by public transport (no walk-only trip), or INF."""
    offsets = timetable.trip_offsets
    trips = [t for t in range(timetable.n_trips) if timetable.scheduled[t]]
    n_stops = timetable.n_stops
    board = np.full(n_stops, INF, dtype=np.int64)  # may board from this time, <= k-1 rides
    for stop, seconds in access:
        board[stop] = min(board[stop], departure + seconds)
    best_ride = np.full(n_stops, INF, dtype=np.int64)  # arrival by vehicle, <= k rides
    for k in range(1, max_rounds + 1):
        ride = best_ride.copy()
        for t in trips:
            rows = range(offsets[t], offsets[t + 1])
            on_board = False
            for row in rows:
                stop = timetable.stop_time_stop[row]
                if on_board:
                    ride[stop] = min(ride[stop], timetable.stop_time_arrival[row])
                extra = board_extra[stop] if k > 1 else 0
                if (
                    board[stop] < INF
                    and board[stop] + board_slack + extra <= timetable.stop_time_departure[row]
                ):
                    on_board = True
        next_board = np.minimum(board, ride)
        for stop in np.flatnonzero(ride < INF):
            for target, seconds in transfers[stop]:
                next_board[target] = min(next_board[target], ride[stop] + seconds)
        best_ride, board = ride, next_board
    arrival = np.full(n_destinations, INF, dtype=np.int64)
    for stop in np.flatnonzero(best_ride < INF):
        for destination, seconds in egress[stop]:
            arrival[destination] = min(arrival[destination], best_ride[stop] + seconds)
    return arrival


def travel_times(
    timetable,
    departures,
    access_by_origin,
    direct_by_origin,
    transfers,
    board_extra,
    egress,
    n_destinations,
    *,
    max_rounds,
    board_slack,
    max_duration,
):
    """Seconds per (origin, departure, destination); INF where above ``max_duration``."""
    out = np.full((len(access_by_origin), len(departures), n_destinations), INF, dtype=np.int64)
    for o, access in enumerate(access_by_origin):
        for m, departure in enumerate(departures):
            arrival = earliest_arrivals(
                timetable,
                departure,
                access,
                transfers,
                board_extra,
                egress,
                n_destinations,
                max_rounds=max_rounds,
                board_slack=board_slack,
            )
            duration = np.where(arrival < INF, arrival - departure, INF)
            for destination, seconds in direct_by_origin[o]:
                duration[destination] = min(duration[destination], seconds)
            out[o, m] = np.where(duration <= max_duration, duration, INF)
    return out


def latest_departures(
    timetable,
    deadline,
    access_by_origin,
    direct_by_origin,
    transfers,
    board_extra,
    egress,
    n_destinations,
    *,
    max_rounds,
    board_slack,
    max_duration,
):
    """Latest departure and its arrival per (origin, destination) by bisection on forward searches.

    The earliest arrival never decreases when leaving later, so the latest departure arriving
    by the deadline is found by bisection over the seconds of ``[deadline - max_duration,
    deadline]``; its arrival is the earliest arrival leaving then. Returns two int64 arrays of
    shape (n_origins, n_destinations): departure and arrival, INF where none.
    """
    departure = np.full((len(access_by_origin), n_destinations), INF, dtype=np.int64)
    arrival = np.full((len(access_by_origin), n_destinations), INF, dtype=np.int64)
    for o, access in enumerate(access_by_origin):
        memo = {}

        def earliest(leave, o=o, access=access, memo=memo):
            if leave not in memo:
                by_transit = earliest_arrivals(
                    timetable, leave, access, transfers, board_extra, egress, n_destinations,
                    max_rounds=max_rounds, board_slack=board_slack,
                )  # fmt: skip
                for destination, seconds in direct_by_origin[o]:
                    by_transit[destination] = min(by_transit[destination], leave + seconds)
                memo[leave] = by_transit
            return memo[leave]

        for destination in range(n_destinations):
            low, high = deadline - max_duration, deadline
            if earliest(low)[destination] > deadline:
                continue
            while low < high:  # earliest(low) arrives in time; find the last second that does
                middle = (low + high + 1) // 2
                if earliest(middle)[destination] <= deadline:
                    low = middle
                else:
                    high = middle - 1
            departure[o, destination] = low
            arrival[o, destination] = earliest(low)[destination]
    return departure, arrival
