"""Shared fixtures: the Porto Alegre sample shipped with the package, and a hand-made town."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY_TOWN = Path(__file__).parent / "data" / "tiny_town.osm"

N_GRID = 7
"""Streets each way in the seeded random towns of the transit tests."""


@pytest.fixture(scope="session")
def poa():
    import reachable as rc

    return rc.datasets.porto_alegre()


@pytest.fixture(scope="session")
def poa_network(poa, tmp_path_factory):
    import reachable as rc

    return rc.Network.build(poa.osm, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def poa_transit(poa, tmp_path_factory):
    """Streets of every mode and the bus and metro timetables of Monday 2019-05-13."""
    import reachable as rc

    return rc.Network.build(
        poa.osm, gtfs=list(poa.gtfs), date="2019-05-13", cache_dir=tmp_path_factory.mktemp("cache")
    )


@pytest.fixture(scope="session")
def hexes():
    import reachable as rc

    return rc.datasets.porto_alegre_hexgrid()


@pytest.fixture(scope="session")
def tiny_town(tmp_path_factory):
    import reachable as rc

    return rc.Network.build(TINY_TOWN, cache=False)


@pytest.fixture(scope="module", params=[1, 2, 3])
def town(request, tmp_path_factory):
    """A seeded random town (transit_towns.py) with two feeds, and 8 random points in it."""
    import numpy as np
    import pandas as pd

    import reachable as rc

    from .transit_towns import LAT0, LON0, QUERY_DATE, STEP, write_feed, write_grid

    seed = request.param
    folder = tmp_path_factory.mktemp(f"town{seed}")
    rng = np.random.default_rng(seed)
    osm = write_grid(folder / "town.osm", N_GRID)
    feeds = {"bus": write_feed(folder / "bus", rng, N_GRID), "tram": write_feed(folder / "tram", rng, N_GRID)}
    network = rc.Network.build(osm, gtfs=feeds, date=QUERY_DATE, cache=False)
    extent = (N_GRID - 1) * STEP
    points = pd.DataFrame(
        {
            "id": np.arange(8),
            "lon": LON0 + rng.uniform(0, extent, 8),
            "lat": LAT0 + rng.uniform(0, extent, 8),
        }
    )
    return network, points
