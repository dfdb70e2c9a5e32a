"""Saving, loading and caching networks; logging and progress stay quiet."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.network import storage

from .conftest import TINY_TOWN
from .test_errors import POINTS


def test_save_and_load_round_trip(poa_network, hexes, tmp_path):
    path = poa_network.save(tmp_path / "poa.reachable")
    loaded = rc.Network.load(path)
    assert loaded.modes == poa_network.modes
    for name in ("node_id", "u", "v", "length", "car_speed", "directions", "geometry_lon"):
        np.testing.assert_array_equal(getattr(loaded.edges, name), getattr(poa_network.edges, name))
    np.testing.assert_array_equal(loaded.edges.highway, poa_network.edges.highway)
    for mode in poa_network.modes:
        np.testing.assert_array_equal(loaded.graph(mode).indptr, poa_network.graph(mode).indptr)
        np.testing.assert_array_equal(loaded.graph(mode).head, poa_network.graph(mode).head)
    sample = hexes.iloc[:50]
    pd.testing.assert_frame_equal(
        rc.travel_time_matrix(loaded, sample, mode="car", max_time=60),
        rc.travel_time_matrix(poa_network, sample, mode="car", max_time=60),
    )


def test_a_file_of_another_format_version_is_refused(tiny_town, tmp_path, monkeypatch):
    path = tiny_town.save(tmp_path / "old.reachable")
    monkeypatch.setattr(storage, "FORMAT_VERSION", storage.FORMAT_VERSION + 1)
    with pytest.raises(rc.NetworkFormatError, match="format version"):
        rc.Network.load(path)


def test_save_never_leaves_a_half_written_file(tiny_town, tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        tiny_town.save(tmp_path / "town.reachable")
    assert list(tmp_path.iterdir()) == []


def test_build_reuses_the_cache_keyed_by_file_and_options(tmp_path, monkeypatch):
    first = rc.Network.build(TINY_TOWN, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.reachable"))) == 1

    def must_not_read(*args, **kwargs):
        raise AssertionError("the cached network should have been used")

    monkeypatch.setattr("reachable.osm.reader.read_street_ways", must_not_read)
    again = rc.Network.build(TINY_TOWN, cache_dir=tmp_path)
    np.testing.assert_array_equal(again.edges.length, first.edges.length)
    # Other options are another build, and cache=False neither reads nor writes the cache.
    with pytest.raises(AssertionError, match="cached network"):
        rc.Network.build(TINY_TOWN, modes=["walk"], cache_dir=tmp_path)
    with pytest.raises(AssertionError, match="cached network"):
        rc.Network.build(TINY_TOWN, cache=False, cache_dir=tmp_path)


def test_cache_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REACHABLE_CACHE_DIR", str(tmp_path / "cache"))
    rc.Network.build(TINY_TOWN)
    assert len(list((tmp_path / "cache").glob("*.reachable"))) == 1


def test_cache_key_changes_with_the_file_bytes(tmp_path):
    copy = tmp_path / "town.osm"
    copy.write_bytes(TINY_TOWN.read_bytes())
    key = storage.cache_key([storage.file_digest(copy)], {"modes": ["walk"]})
    copy.write_bytes(TINY_TOWN.read_bytes().replace(b'v="30 mph"', b'v="20 mph"'))
    assert storage.cache_key([storage.file_digest(copy)], {"modes": ["walk"]}) != key


def test_saved_header_names_the_format(tiny_town, tmp_path):
    path = tiny_town.save(tmp_path / "town.reachable")
    with np.load(path) as data:
        header = json.loads(str(data["header"]))
    assert header["format"] == "reachable-network" and header["version"] == storage.FORMAT_VERSION


def test_nothing_is_printed_and_logging_is_not_configured(capsys, caplog):
    assert logging.getLogger("reachable").handlers[0].__class__ is logging.NullHandler
    with caplog.at_level(logging.INFO, logger="reachable"):
        network = rc.Network.build(TINY_TOWN, cache=False, progress=False)
        rc.travel_time_matrix(network, POINTS, mode="walk", max_time=10, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert any("built the network" in record.message for record in caplog.records)
