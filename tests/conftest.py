"""Shared fixtures: the Porto Alegre sample (never downloaded in CI) and a hand-made town."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_POA = ROOT.parent / "shared" / "data" / "poa"
TINY_TOWN = Path(__file__).parent / "data" / "tiny_town.osm"

# Tests read the sample from the shared folder next to the project when it is there, so
# they never need the internet; REACHABLE_DATA_DIR, when set, wins.
if "REACHABLE_DATA_DIR" not in os.environ and SHARED_POA.is_dir():
    os.environ["REACHABLE_DATA_DIR"] = str(SHARED_POA)


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
