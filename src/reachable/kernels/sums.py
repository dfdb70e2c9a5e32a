"""Opportunities summed over the destinations a travel time reaches, origin by origin."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def opportunities_within(seconds, limit, counts):
    """Sum ``counts`` over the destinations reached within ``limit`` seconds.

    Parameters
    ----------
    seconds : ndarray of float64, shape (n_percentiles, n_origins, n_destinations)
        Travel times in whole seconds (``inf`` not reached); any strides (a view).
    limit : float
        The longest time that counts, seconds.
    counts : ndarray of float64, shape (n_destinations, n_columns)
        Opportunities at each destination.

    Returns
    -------
    ndarray of float64, shape (n_percentiles, n_origins, n_columns)

    Each origin adds its destinations in their order, whatever the threads: the same sums
    locally and on a cluster. A 0/1 matrix times ``counts`` (BLAS) would write a block of
    weights as large as ``seconds`` and leave BLAS threads spinning against numba's.
    """
    n_percentiles, n_origins, n_destinations = seconds.shape
    n_columns = counts.shape[1]
    total = np.zeros((n_percentiles, n_origins, n_columns))
    for row in prange(n_percentiles * n_origins):
        p, origin = row // n_origins, row % n_origins
        times = seconds[p, origin]
        sums = total[p, origin]
        for j in range(n_destinations):
            if times[j] <= limit:
                for c in range(n_columns):
                    sums[c] += counts[j, c]
    return total
