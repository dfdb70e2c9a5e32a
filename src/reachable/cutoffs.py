"""When a travel time is "within" a cutoff: one definition for every result.

Travel times are whole seconds: each trip's seconds (and each walking leg of a public
transport trip) rounded to the nearest second. A trip of ``s`` seconds is within a cutoff of
``c`` minutes when ``s / 60 <= c``, the minutes :func:`reachable.travel_time_matrix` reports
compared with the cutoff: for whole or decimal cutoffs, ``s <= c * 60``, and a trip of exactly
the cutoff counts. ``travel_time_matrix`` (``max_time``), ``accessibility`` (``cutoffs``),
``isochrones``, ``max_walk_time``, :mod:`reachable.measures` on a matrix and the command line
all count with the functions below, so their results agree to the last trip.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["last_second", "search_limit", "search_reach", "whole_seconds"]


def whole_seconds(seconds: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Travel times rounded to the nearest second (``inf``, not reached, stays ``inf``).

    Into ``out`` when given (``seconds`` itself rounds in place: a block of a whole city is
    hundreds of MB).
    """
    return np.round(seconds, out=out)


def last_second(cutoff: float) -> int:
    """The longest trip, in whole seconds, within ``cutoff`` minutes.

    The largest whole ``s`` with ``s / 60 <= cutoff``: 2,700 for 45 minutes, 123 for 2.05
    minutes (whose float product with 60 is 122.99999999999999).
    """
    seconds = math.floor(cutoff * 60.0 + 1e-6)
    while seconds > 0 and seconds / 60.0 > cutoff:
        seconds -= 1
    while (seconds + 1) / 60.0 <= cutoff:
        seconds += 1
    return seconds


def search_reach(seconds: int) -> float:
    """Unrounded seconds a search must reach to find every trip of at most ``seconds`` whole seconds.

    A trip of 2,700.4 s is 2,700 whole seconds: searches go half a second further, then round
    and keep what the limit allows.
    """
    return seconds + 0.5


def search_limit(cutoff: float) -> float:
    """Unrounded seconds a search must reach to find every trip within ``cutoff`` minutes."""
    return search_reach(last_second(cutoff))
