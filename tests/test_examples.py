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
