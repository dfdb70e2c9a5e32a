"""The examples run as scripts, so they never rot."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_porto_alegre_matrix_example(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("REACHABLE_CACHE_DIR", str(tmp_path))
    runpy.run_path(str(EXAMPLES / "porto_alegre_matrix.py"), run_name="__main__")
    out = capsys.readouterr().out
    for mode in ("walk", "bike", "moped", "car"):
        assert f"{mode}: 1,505,529 pairs" in out


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_porto_alegre_accessibility_example(capsys, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    out = tmp_path / "results"
    monkeypatch.setenv("REACHABLE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("REACHABLE_EXAMPLE_SMALL", "1")
    monkeypatch.setenv("REACHABLE_EXAMPLE_OUT", str(out))
    runpy.run_path(str(EXAMPLES / "porto_alegre_accessibility.py"), run_name="__main__")
    printed = capsys.readouterr().out
    assert "123 hexagons" in printed  # every 10th of 1,227
    assert "jobs reachable by the median hexagon" in printed
    for mode in ("walk", "bike", "transit", "car"):
        assert mode in printed
    names = ["isochrones_bus_central_station.png", "jobs_by_mode_45.png", "jobs_transit_45.png"]
    assert sorted(p.name for p in out.iterdir()) == names
    for name in names:
        assert (out / name).stat().st_size > 10_000
