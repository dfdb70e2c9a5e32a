"""Arrive by a deadline on Porto Alegre: the backward search against forward searches.

Run from the project root::

    python benchmarks/bench_time.py

All 1,227 x 1,227 cells, walk + transit, max_time 120 min, 3 rides, board_slack 60 s, walks
of at most 20 min at 3.6 km/h, deadline 15:00 on Monday 2019-05-13. Prints, in one run:

1. the forward matrix leaving at 13:00 (the same settings, one time);
2. the arrive-by departures alone (the backward search, a forward search on the routes run
   back in time; what ``accessibility(arrival=)`` runs), against the forward search alone at
   equal work (neither builds a frame), and the whole arrive-by matrix (the backward search
   to every stop, the departures from it, then the exact arrival of the journey leaving at
   each, by one search per trip such journeys must board first);
3. r5r's approach (``arrival_travel_time_matrix``): forward searches at every minute of
   the 120 minutes before the deadline, then the latest minute that arrives in time, here
   with our own forward range kernel (labels reused between minutes, as R5 does);
   to the minute only;

with the ratios to the forward matrix, the agreement of the answers, and the target.

Every measure is the best of 3 calls after a full-size warm-up call of each matrix: on this
kind of VM the first calls that grow the heap to a matrix's size are up to twice as slow.
"""

from __future__ import annotations

import warnings

import numba
import numpy as np
import pandas as pd

import reachable as rc
from _report import best_of, cpu_model, print_table
from reachable.points import as_points
from reachable.routing import transit

DEADLINE = pd.Timestamp("2019-05-13 15:00")
MAX_TIME = 120
TARGET = 1.5  # arrive-by matrix / forward matrix
REPEATS = 3


def main() -> None:
    warnings.simplefilter("ignore", rc.ReachableWarning)
    paths = rc.datasets.porto_alegre()
    network = rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date=DEADLINE.date(), cache=False)
    hexes = rc.datasets.porto_alegre_hexgrid()
    points = as_points(hexes)
    start = DEADLINE - pd.Timedelta(minutes=MAX_TIME)

    def forward_matrix():
        return rc.travel_time_matrix(network, hexes, mode="transit", departure=start, max_time=MAX_TIME)

    def arrive_by():
        return rc.travel_time_matrix(network, hexes, mode="transit", arrival=DEADLINE, max_time=MAX_TIME)

    settings = rc.matrix.routing_settings(network, "transit", max_time=MAX_TIME, arrival=DEADLINE)
    forward = rc.matrix.routing_settings(network, "transit", max_time=MAX_TIME, departure=start).transit

    def forward_only():
        return [seconds for _, seconds, _ in transit.transit_blocks(network, points, points, forward)]

    def departures_only():
        return np.concatenate(
            [lead for _, lead in transit.arrival_blocks(network, points, points, settings.transit)], axis=1
        )

    minutes = rc.matrix.routing_settings(network, "transit", max_time=MAX_TIME, departure=start,
                                         time_window=MAX_TIME)  # fmt: skip

    deadline = int(settings.transit.deadlines[0])
    leave = minutes.transit.departures  # seconds, one per minute

    def every_minute():
        # r5r's answer: the latest departure minute whose trip arrives by the deadline.
        latest = np.full((len(points), len(points)), -1, dtype=np.int64)
        blocks = transit.transit_blocks(network, points, points, minutes.transit, keep_minutes=True)
        for rows, _, values in blocks:  # values: (origin, minute, destination)
            fits = (values < transit.UNREACHED) & (leave[None, :, None] + values <= deadline)
            last = len(leave) - 1 - np.argmax(fits[:, ::-1, :], axis=1)
            latest[rows] = np.where(fits.any(axis=1), leave[last], -1)
        return latest

    # Compile and warm the caches (walks, routes) on a few cells, then the heap at full size.
    few = hexes.iloc[:40]
    rc.travel_time_matrix(network, few, mode="transit", arrival=DEADLINE, max_time=MAX_TIME)
    rc.travel_time_matrix(network, few, mode="transit", departure=start, max_time=MAX_TIME)
    rc.travel_time_matrix(network, few, mode="transit", departure=start, max_time=MAX_TIME, time_window=2)
    forward_matrix()
    arrive_by()

    forward_s, _ = best_of(REPEATS, forward_matrix)
    forward_search_s, _ = best_of(REPEATS, forward_only)
    departures_s, lead = best_of(REPEATS, departures_only)
    matrix_s, ttm = best_of(REPEATS, arrive_by)
    minutes_s, latest_minute = best_of(1, every_minute)

    ours = np.where(lead[:, :, 0] < transit.UNREACHED, deadline - lead[:, :, 0], -1)
    # Pairs at the very same place leave at the deadline itself, past the last whole minute.
    both = (ours >= 0) & (latest_minute >= 0) & (ours < deadline)
    gap = ours[both] - latest_minute[both]

    print(
        f"Porto Alegre, {len(hexes):,} x {len(hexes):,} cells, deadline {DEADLINE}, max_time {MAX_TIME} min"
    )
    print(f"{cpu_model()}, numba threads {numba.get_num_threads()}")
    timings = [
        ("forward matrix, leaving 13:00 (best of 3)", forward_s),
        ("  its search alone, without the frame (best of 3)", forward_search_s),
        ("arrive-by departures: backward search alone (best of 3)", departures_s),
        ("arrive-by matrix: departures + exact arrivals (best of 3)", matrix_s),
        ("r5r's approach: forward every minute of 120, latest in time", minutes_s),
    ]
    rows = [[name, f"{seconds:.2f}", f"{seconds / forward_s:.2f}x"] for name, seconds in timings]
    print_table("1-3. Time (seconds; ratio to the forward matrix)", ["search", "seconds", "ratio"], rows)
    print("\n4. Agreement")
    print(f"   pairs reached: ours {np.mean(ours >= 0):.3f}, every minute {np.mean(latest_minute >= 0):.3f}")
    print(f"   ours - latest whole minute that works: min {gap.min()} s, max {gap.max()} s "
          f"(ours is exact to the second, so always in [0, 60))")  # fmt: skip
    print(f"   arrive-by matrix rows reached: {ttm['travel_time'].notna().mean():.3f}")
    ratio = matrix_s / forward_s
    print("\n5. Target")
    print(f"   arrive-by matrix <= {TARGET}x the forward matrix: {ratio:.2f}x "
          f"{'PASS' if ratio <= TARGET else 'MISS'}")  # fmt: skip
    alone = departures_s / forward_search_s
    print(f"   arrive-by departures <= {TARGET}x the forward search, both without frames: {alone:.2f}x "
          f"{'PASS' if alone <= TARGET else 'MISS'}")  # fmt: skip


if __name__ == "__main__":
    main()
