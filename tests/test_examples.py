"""The examples run as scripts, so they never rot."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

import reachable as rc

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name: str, tmp_path, monkeypatch, *, small: bool = True) -> tuple[dict, Path]:
    """Run ``examples/<name>`` as a script writing to ``tmp_path / "results"``; its namespace and that folder.

    Off screen (matplotlib's Agg), with its own network cache; ``small`` asks for the
    examples' sample of the hexagons (every 10th).
    """
    import matplotlib

    matplotlib.use("Agg")
    out = tmp_path / "results"
    monkeypatch.setenv("REACHABLE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("REACHABLE_EXAMPLE_OUT", str(out))
    if small:
        monkeypatch.setenv("REACHABLE_EXAMPLE_SMALL", "1")
    return runpy.run_path(str(EXAMPLES / name), run_name="__main__"), out


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_porto_alegre_matrix_example(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("REACHABLE_CACHE_DIR", str(tmp_path))
    runpy.run_path(str(EXAMPLES / "porto_alegre_matrix.py"), run_name="__main__")
    out = capsys.readouterr().out
    # The share of the 1,227 x 1,227 pairs reached, as printed, against the crow-fly
    # distances between the hexagons (pyproj.Geod, apart from the library): on foot
    # (60 min at 3.6 km/h: 3.6 km) and by bike (45 min at 12 km/h: 9 km) nobody goes farther
    # than the crow flies (UTM gaps within 0.5 %, 1 s of rounding); a car in 60 min reaches
    # nearly every pair of the 1,222 hexagons near a street (99.2 %).
    reached = {
        mode: int(share) for mode, share in re.findall(r"(\w+): [\d,]+ pairs in [\d.]+ s; (\d+)% within", out)
    }
    assert list(reached) == ["walk", "bike", "moped", "car"]
    hexes = rc.datasets.porto_alegre_hexgrid()
    lon, lat = hexes.geometry.x.to_numpy(), hexes.geometry.y.to_numpy()
    n = len(hexes)
    _, _, metres = Geod(ellps="WGS84").inv(
        np.repeat(lon, n), np.repeat(lat, n), np.tile(lon, n), np.tile(lat, n)
    )
    for mode, reach in (("walk", 3600), ("bike", 9000)):
        assert reached[mode] <= 100 * np.mean(metres <= (reach + 1) / 0.995) + 0.5, mode
    assert reached["walk"] < reached["bike"] < reached["moped"] <= reached["car"]
    assert reached["car"] >= 98


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_porto_alegre_accessibility_example(capsys, tmp_path, monkeypatch):
    _, out = run_example("porto_alegre_accessibility.py", tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    assert "123 hexagons" in printed  # every 10th of 1,227
    assert "jobs reachable by the median hexagon" in printed
    for mode in ("walk", "bike", "transit", "car"):
        assert mode in printed
    names = ["isochrones_bus_central_station.png", "jobs_by_mode_45.png", "jobs_transit_45.png"]
    assert sorted(p.name for p in out.iterdir()) == names
    for name in names:
        assert (out / name).stat().st_size > 10_000


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_porto_alegre_shifts_example(capsys, tmp_path, monkeypatch):
    namespace, out = run_example("porto_alegre_shifts.py", tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    assert "123 hexagons" in printed
    # By transit, the early shift needs a bus before 11:00, which the sample does not have:
    # fewer people make it than the afternoon one, inside the bus hours.
    can = {
        (mode, shift): int(people)
        for mode, shift, people in re.findall(r"(transit|bike)\s+(\d\d:\d\d-\d\d:\d\d)\s+(\d+)", printed)
    }
    assert can[("transit", "07:00-19:00")] < can[("transit", "14:30-16:30")]
    early, afternoon = re.search(r"06:00 ([\d,]+), 14:00 ([\d,]+)", printed).groups()
    assert int(early.replace(",", "")) < int(afternoon.replace(",", ""))
    # The trip there, leg by leg, is the shifts table's: it leaves and arrives when the row says.
    home, there = namespace["home"], namespace["there"]
    assert there["departure_time"].iloc[0] == home["leave_home"]
    assert there["arrival_time"].iloc[-1] == home["arrive_work"]
    assert (there["mode"] == "ride").any()
    names = ["jobs_arriving_by_13.png", "jobs_through_the_day.png"]
    assert sorted(p.name for p in out.iterdir()) == names


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_mobility_diagnosis_example(capsys, tmp_path, monkeypatch):
    namespace, out = run_example("mobility_diagnosis.py", tmp_path, monkeypatch, small=False)
    printed = capsys.readouterr().out
    diagnosis = namespace["diagnosis"]
    assert len(diagnosis.table) == 5 * 5 * (1 + len(rc.aids.default()))
    # Every person's best aid opens at least one offer: the printed summary says so.
    assert (diagnosis.summary["best_aid_opens"] > 0).all()
    for name in ("Amina", "Bruno", "Carla", "Diego", "Elisa"):
        assert name in printed
    pages = sorted(p.name for p in (out / "sheets").iterdir())
    assert pages == ["amina.html", "bruno.html", "carla.html", "diego.html", "elisa.html", "index.html"]
    assert "heure à laquelle partir de chez vous" in (out / "sheets" / "amina.html").read_text()


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_mobility_deserts_example(capsys, tmp_path, monkeypatch):
    _, out = run_example("mobility_deserts.py", tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    assert "Porto Alegre, 123 hexagons" in printed
    # ipea's published values on the Belo Horizonte sample (see test_equity.py).
    assert "Belo Horizonte, Gini: 0.4715" in printed and "Belo Horizonte, Palma: 3.8005" in printed
    assert "Belo Horizonte, concentration: 0.3346" in printed  # corrected, ipea's default
    names = ["deserts_porto_alegre.png", "jobs_by_income_decile.png", "lorenz_belo_horizonte.png"]
    assert sorted(p.name for p in out.iterdir()) == names
