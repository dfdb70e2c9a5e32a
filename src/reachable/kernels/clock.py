"""GTFS clock times read from the bytes of a string column."""

from __future__ import annotations

import numpy as np
from numba import njit

_ZERO = 48  # ord("0")
_COLON = 58  # ord(":")


@njit(cache=True)
def _digit(byte) -> int:
    """The digit a byte stands for, -1 for any other byte."""
    value = np.int64(byte) - _ZERO
    return value if 0 <= value <= 9 else -1


@njit(cache=True)
def clock_seconds(offsets, data):
    """Seconds of ``H:MM:SS`` and ``HH:MM:SS`` values (hours may pass 24).

    Parameters
    ----------
    offsets : ndarray of int64, shape (n_values + 1,)
        Where each value starts in ``data`` (Arrow's string offsets).
    data : ndarray of uint8
        The values' bytes, one after the other.

    Returns
    -------
    seconds : ndarray of int64
        -1 where the value is empty or malformed.
    bad : ndarray of bool
        Non-empty values that are not such a time.
    """
    n_values = offsets.shape[0] - 1
    seconds = np.full(n_values, -1, dtype=np.int64)
    bad = np.zeros(n_values, dtype=np.bool_)
    for i in range(n_values):
        start, size = offsets[i], offsets[i + 1] - offsets[i]
        if size == 0:
            continue
        bad[i] = True
        if size != 7 and size != 8:
            continue
        # A 7-byte H:MM:SS reads as 0H:MM:SS.
        h1 = _digit(data[start]) if size == 8 else 0
        h2 = _digit(data[start + size - 7])
        at = start + size - 6  # the colon before the minutes
        m1, m2 = _digit(data[at + 1]), _digit(data[at + 2])
        s1, s2 = _digit(data[at + 4]), _digit(data[at + 5])
        colons = data[at] == _COLON and data[at + 3] == _COLON
        if not colons or min(h1, h2, m1, m2, s1, s2) < 0 or m1 > 5 or s1 > 5:
            continue
        seconds[i] = (h1 * 10 + h2) * 3600 + (m1 * 10 + m2) * 60 + s1 * 10 + s2
        bad[i] = False
    return seconds, bad
