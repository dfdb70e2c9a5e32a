"""Checks over the rows of ``stop_times.txt``, once they are in trip order."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def backwards_in_time(trip, arrival, departure, timed):
    """Rows that arrive before the departure from the previous timed row of their trip.

    One pass, where the array expressions it replaces made six arrays of the length of the
    file (a quarter of a gigabyte for 4.6 million stop times).

    Parameters
    ----------
    trip : ndarray of int64
        Each row's trip; the rows of a trip are consecutive, in ``stop_sequence`` order.
    arrival, departure : ndarray of int64
        Seconds of each row.
    timed : ndarray of bool
        The rows whose times count (given and well formed); the others are skipped.

    Returns
    -------
    rows : ndarray of int64
        Positions of the rows that go back in time, increasing.
    previous_departure : ndarray of int64
        For each, the departure it arrives before.
    """
    n_rows = trip.shape[0]
    rows = np.empty(n_rows, dtype=np.int64)  # pages past the last written are never touched
    previous_departure = np.empty(n_rows, dtype=np.int64)
    n_found = 0
    has_previous = False
    last_departure = 0
    for i in range(n_rows):
        if i == 0 or trip[i] != trip[i - 1]:
            has_previous = False
        if not timed[i]:
            continue
        if has_previous and arrival[i] < last_departure:
            rows[n_found] = i
            previous_departure[n_found] = last_departure
            n_found += 1
        has_previous = True
        last_departure = departure[i]
    return rows[:n_found].copy(), previous_departure[:n_found].copy()
