"""Shared fixtures: the Porto Alegre sample shipped with the package, and a hand-made town."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY_TOWN = Path(__file__).parent / "data" / "tiny_town.osm"


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
def places(hexes):
    """The Porto Alegre cells as opportunities: no jobs or healthcare where the sample has none (NaN)."""
    return hexes.fillna({"jobs": 0, "healthcare": 0})


@pytest.fixture(scope="session")
def tiny_town(tmp_path_factory):
    import reachable as rc

    return rc.Network.build(TINY_TOWN, cache=False)


@pytest.fixture(scope="module", params=[1, 2, 3])
def town(request, tmp_path_factory):
    """A seeded random town (transit_towns.py) with two feeds, and 8 random points in it."""
    import reachable as rc

    from .transit_towns import QUERY_DATE, write_town

    osm, feeds, points = write_town(tmp_path_factory.mktemp(f"town{request.param}"), request.param)
    return rc.Network.build(osm, gtfs=feeds, date=QUERY_DATE, cache=False), points
