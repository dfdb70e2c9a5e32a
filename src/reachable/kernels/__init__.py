"""numba-compiled kernels: street and public transport searches, sums, GTFS times and checks.

Plain typed numpy arrays in, plain arrays out: no pandas, networkx or Python objects, so the
kernels can run in any worker process (a Dask task, a thread pool) on a chunk of origins.

numba compiles a kernel once per combination of argument types, and a read-only array or a
literal int (``0`` where a counter starts) is a type of its own: callers hand writable
arrays, and counters or rounds passed on to other kernels start as ``np.int64(0)``. Each
search kernel then compiles once, on first use (some 15 s for the largest, cached after).
"""

from .clock import clock_seconds
from .dijkstra import (
    budget_left,
    finite_entries,
    one_to_all,
    path_tree,
    street_opportunities_within,
    street_pairs_within,
    street_travel_times,
)
from .stop_times import backwards_in_time
from .sums import opportunities_within

__all__ = [
    "backwards_in_time",
    "budget_left",
    "clock_seconds",
    "finite_entries",
    "one_to_all",
    "opportunities_within",
    "path_tree",
    "street_opportunities_within",
    "street_pairs_within",
    "street_travel_times",
]
