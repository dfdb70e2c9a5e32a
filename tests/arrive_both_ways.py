"""Arrive-by arrivals found both ways: from the trips boarded, and by a range search per origin."""

from __future__ import annotations

import numpy as np

from reachable.routing import transit


def arrive_by(monkeypatch, network, origins, destinations, query):
    """:func:`reachable.routing.transit.arrive_by` both ways, checked equal; the result.

    Which way runs depends on the origins per stop (``ORIGIN_MINUTES_PER_STOP_BY_TRIPS``): each is
    forced in turn, so that a test comparing the result with a brute force checks both.
    """
    found = []
    for share in (0.0, np.inf):
        with monkeypatch.context() as patched:
            patched.setattr(transit, "ORIGIN_MINUTES_PER_STOP_BY_TRIPS", share)
            found.append(transit.arrive_by(network, origins, destinations, query))
    by_trips, by_origins = found
    for trips, origins_ in zip(by_trips, by_origins, strict=True):
        np.testing.assert_array_equal(trips, origins_)
    return by_trips
