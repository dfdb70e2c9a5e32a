"""Travel times between the 1,227 Porto Alegre hexagons by walk, bike, moped and car.

Run ``python examples/porto_alegre_matrix.py``. The sample data ships with reachable (or is read
from ``$REACHABLE_DATA_DIR``); the network is built from OpenStreetMap and cached.
"""

from __future__ import annotations

import time

import reachable as rc

CUTOFFS = {"walk": 60, "bike": 45, "moped": 45, "car": 60}


def main() -> None:
    paths = rc.datasets.porto_alegre()
    started = time.perf_counter()
    network = rc.Network.build(paths.osm)
    print(f"{network}\nbuilt or loaded in {time.perf_counter() - started:.1f} s\n")

    hexes = rc.datasets.porto_alegre_hexgrid()
    centre = hexes.loc[hexes["jobs"].idxmax(), "id"]
    for mode, max_time in CUTOFFS.items():
        started = time.perf_counter()
        ttm = rc.travel_time_matrix(network, hexes, mode=mode, max_time=max_time)
        seconds = time.perf_counter() - started
        reached = ttm["travel_time"].notna().mean()
        to_centre = ttm.loc[ttm["to_id"] == centre, "travel_time"].median()
        print(
            f"{mode:>5}: {len(ttm):,} pairs in {seconds:.2f} s; {reached:.0%} within {max_time} min; "
            f"median time to the cell with most jobs: {to_centre:.1f} min"
        )
    print("\nfirst rows of the car matrix:")
    print(ttm.head().to_string(index=False))


if __name__ == "__main__":
    main()
