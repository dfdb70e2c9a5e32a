"""Bike, e-bike, moped and car to public transport on Porto Alegre, against walking to it.

Run from the project root::

    python benchmarks/bench_means.py

All 1,227 x 1,227 cells, one departure at 14:00 on Monday 2019-05-13, max_time 60 min,
3 rides, board_slack 60 s, walks (transfers, egress, from a park-and-ride place to the
stops) of at most 20 min at 3.6 km/h. Each combined mode rides or drives at most
``max_access_time`` (15 min by bike and e-bike, 20 by moped and car) to the stops, and
every trip rides public transport; walkers walk at most 20 min to them (and walk-only trips
count for them). The OSM extract has no park-and-ride place, so cars and
mopeds are left at the 24 Trensurb metro stations (the stops of ``poa_trensurb.zip``), an
assumption of this benchmark. Prints, in one run, the time of each matrix (best of 3,
after a warm-up that compiles the kernels and fills the network's caches), its ratio to
walk + transit, the share of pairs reached within 60 min and the target (at most 2x).
"""

from __future__ import annotations

import warnings

import numba
import numpy as np
import pandas as pd

import reachable as rc
from _report import best_of, cpu_model, print_table

DEPARTURE = "2019-05-13 14:00"
MAX_TIME = 60
TARGET = 2.0  # combined mode / walk + transit
REPEATS = 3
MODES = ("transit", "bike+transit", "ebike+transit", "moped+transit", "car+transit")


def main() -> None:
    warnings.simplefilter("ignore", rc.ReachableWarning)
    paths = rc.datasets.porto_alegre()
    network = rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date="2019-05-13", cache=False)
    hexes = rc.datasets.porto_alegre_hexgrid()
    timetable = network.timetable
    metro = np.char.startswith(timetable.stop_id.astype(str), "poa_trensurb:")
    stations = pd.DataFrame({"lon": timetable.stop_lon[metro], "lat": timetable.stop_lat[metro]})

    def matrix(mode: str, points=hexes):
        options = {"park_and_ride": stations} if mode in ("moped+transit", "car+transit") else {}
        return rc.travel_time_matrix(
            network, points, mode=mode, departure=DEPARTURE, max_time=MAX_TIME, progress=False, **options
        )

    for mode in MODES:  # compile, and fill the caches (stops snapped, transfers, routes)
        matrix(mode, hexes.iloc[:40])
    results = {mode: best_of(REPEATS, lambda mode=mode: matrix(mode)) for mode in MODES}

    print(
        f"Porto Alegre, {len(hexes):,} x {len(hexes):,} cells, departure {DEPARTURE}, max_time {MAX_TIME} min"
    )
    print(
        f"{cpu_model()}, numba threads {numba.get_num_threads()}; "
        f"{metro.sum()} metro stations as park-and-ride"
    )
    walk_s = results["transit"][0]
    rows = [
        [
            mode,
            f"{seconds:.2f}",
            f"{seconds / walk_s:.2f}x",
            f"{ttm['travel_time'].notna().mean():.3f}",
            f"{ttm['travel_time'].median():.1f}",
            "" if mode == "transit" else ("PASS" if seconds / walk_s <= TARGET else "MISS"),
        ]
        for mode, (seconds, ttm) in results.items()
    ]
    print_table(
        f"Time (seconds, best of {REPEATS}); ratio to walk + transit; pairs reached; median minutes; "
        f"target <= {TARGET}x",
        ["mode", "seconds", "ratio", "reached", "median", "target"],
        rows,
    )


if __name__ == "__main__":
    main()
