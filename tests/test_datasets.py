"""The Porto Alegre sample ships with the package and is checked; downloads fail in one line."""

from __future__ import annotations

import shutil

import pytest

import reachable as rc
from reachable import datasets


@pytest.fixture
def no_data_dir(monkeypatch):
    monkeypatch.delenv(datasets.DATA_DIR_VARIABLE, raising=False)


def test_the_sample_comes_from_the_package_without_network_or_variable(no_data_dir, monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError("the shipped sample must not be downloaded")

    monkeypatch.setattr(datasets, "download", no_download)
    paths = datasets.porto_alegre()
    assert paths.osm.parent == datasets.PACKAGED
    assert {p.name for p in paths.gtfs} == {"poa_eptc.zip", "poa_trensurb.zip"}
    assert len(datasets.porto_alegre_hexgrid()) == 1227
    assert (datasets.PACKAGED / "SOURCES.md").read_text().count("CC BY 4.0") >= 1


def test_the_variable_names_another_folder_and_its_files_are_checked(tmp_path, monkeypatch):
    for name in datasets.SHA256:
        shutil.copy(datasets.PACKAGED / name, tmp_path / name)
    monkeypatch.setenv(datasets.DATA_DIR_VARIABLE, str(tmp_path))
    assert datasets.fetch("poa_hexgrid.csv") == tmp_path / "poa_hexgrid.csv"
    (tmp_path / "poa_points_of_interest.csv").write_text("id,lat,lon\nx,0,0\n")
    with pytest.raises(rc.ReachableError, match="is not the published sample file"):
        datasets.fetch("poa_points_of_interest.csv")
    (tmp_path / "poa_osm.pbf").unlink()
    with pytest.raises(rc.DataFileNotFoundError, match=f"poa_osm.pbf is not in {datasets.DATA_DIR_VARIABLE}"):
        datasets.fetch("poa_osm.pbf")


def test_a_failed_download_is_one_line_naming_the_file_the_url_and_the_way_around(
    no_data_dir, tmp_path, monkeypatch
):
    monkeypatch.setattr(datasets, "PACKAGED", tmp_path / "slim")  # an installation without the files
    monkeypatch.setattr(datasets, "BASE_URL", "http://127.0.0.1:9/poa/")  # nothing listens on port 9
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(rc.DataFileNotFoundError) as caught:
        datasets.fetch("poa_hexgrid.csv")
    message = str(caught.value)
    assert "\n" not in message
    assert "poa_hexgrid.csv" in message and "http://127.0.0.1:9/poa/poa_hexgrid.csv" in message
    assert datasets.DATA_DIR_VARIABLE in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
