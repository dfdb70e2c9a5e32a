"""rc.sheet: the printable pages of a diagnosis, self-contained, in English and French."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageStat

import reachable as rc
from reachable import sheet
from reachable.errors import InvalidParameterError
from reachable.itinerary import street_route

AMINA = (-51.192617, -30.000966)  # near the metro line: the bus or train takes her to two offers


@pytest.fixture(scope="module")
def diagnosis(poa_transit, hexes):
    people = pd.DataFrame({
        "id": ["amina", "bruno/2"], "name": ["Amina Diallo", "Bruno Martin"],
        "lon": [AMINA[0], -51.22], "lat": [AMINA[1], -30.03], "modes": ["walk,transit", "walk"],
        "licences": ["", "B"], "max_commute": [60, 45],
    })  # fmt: skip
    places = hexes.sort_values("jobs", ascending=False).iloc[[0, 12, 30]]
    offers = pd.DataFrame({
        "id": ["kitchen", "shop", "forklift"],
        "name": ["Kitchen assistant", "Shop assistant", "Forklift training"],
        "kind": ["job", "job", "training"], "lon": places.geometry.x.to_numpy(),
        "lat": places.geometry.y.to_numpy(), "start": ["11:00", "12:00", "14:30"],
        "end": ["15:00", "16:00", "16:30"], "days": ["mon-fri", "mon-fri", "mon-fri"],
    })  # fmt: skip
    return rc.diagnose(poa_transit, people, offers)


@pytest.fixture(scope="module")
def folders(diagnosis, tmp_path_factory):
    """Everyone's pages, in English and in French."""
    root = tmp_path_factory.mktemp("sheets")
    return {lang: diagnosis.to_html(root / lang, lang=lang).parent for lang in ("en", "fr")}


def page(folders, lang: str, name: str, *, image: bool = False) -> str:
    """A page's HTML; without the map's bytes, where any word may appear, unless ``image``."""
    text = (folders[lang] / name).read_text(encoding="utf-8")
    return text if image else re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,", text)


def map_png(text: str) -> bytes:
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)
    assert len(images) == 1
    return base64.b64decode(images[0])


def test_the_diagnosis_has_trips_by_bus_on_foot_and_offers_out_of_reach(diagnosis):
    now = diagnosis.table[diagnosis.table["scenario"] == "now"].set_index(["person", "offer"])
    assert now.loc[("amina", "kitchen"), "mode"] == "transit" and now.loc[("amina", "kitchen"), "feasible"]
    assert now.loc[("bruno/2", "kitchen"), "mode"] == "walk" and now.loc[("bruno/2", "kitchen"), "feasible"]
    assert not now.loc[("amina", "forklift"), "feasible"]


def test_one_page_per_person_and_an_index(folders):
    for folder in folders.values():
        assert sorted(p.name for p in folder.iterdir()) == ["amina.html", "bruno_2.html", "index.html"]
    index = page(folders, "en", "index.html")
    for name, file in (("Amina Diallo", "amina.html"), ("Bruno Martin", "bruno_2.html")):
        assert name in index
        assert f"href='{file}'" in index
    assert "2 of 3" in index  # Amina reaches the kitchen and the shop now


def test_pages_are_self_contained_with_a_png_map(folders):
    for lang in folders:
        for name in ("amina.html", "bruno_2.html", "index.html"):
            text = page(folders, lang, name, image=True)
            for outside in ("http://", "https://", "<script", "<link", "@import", "url("):
                assert outside not in text, (name, outside)
            assert "@page { size: A4; margin: 12mm; }" in text
            if name != "index.html":
                png = map_png(text)
                assert png.startswith(b"\x89PNG\r\n\x1a\n")
                image = Image.open(io.BytesIO(png))
                image.verify()
                assert image.size[0] > 800


def test_the_english_page_tells_when_to_leave_and_why_not(diagnosis, folders):
    text = page(folders, "en", "amina.html")
    assert "Amina Diallo" in text
    for name in diagnosis.offers["name"]:
        assert name in text
    row = diagnosis.table.set_index(["person", "offer", "scenario"]).loc[("amina", "kitchen", "now")]
    leave = row["leave"].floor("min")
    assert f"Leave home at <b>{leave.hour}:{leave.minute:02d}</b>" in text
    assert "by bus or train" in text
    reason = diagnosis.table.set_index(["person", "offer", "scenario"]).loc[("amina", "forklift", "now")]
    assert rc.diagnosis.REASONS[reason["reason"]][0][1:] in text
    assert "Partir de chez vous" not in text


def test_the_french_page_is_in_french_with_its_typography(diagnosis, folders):
    text = page(folders, "fr", "amina.html")
    assert "<html lang='fr'>" in text
    assert "Fiche mobilité" in text and "Partir de chez vous à <b>" in text
    assert "à pied, en bus ou en train" in text
    assert "Aujourd\u2019hui\u202f?" in text  # a typographic apostrophe, a thin space before "?"
    assert "Vous vous déplacez" in text
    for name in diagnosis.offers["name"]:
        assert name in text
    assert "Leave home" not in text and "Yes" not in text
    assert "lundi 13 mai 2019" in text
    assert "Fiches mobilité" in page(folders, "fr", "index.html")


def test_the_aids_are_listed_with_the_most_helpful_first(diagnosis, folders):
    text = page(folders, "en", "amina.html")
    best = diagnosis.summary.set_index("person").loc["amina", "best_aid"]
    label = diagnosis.aids[best].label_en
    aids = text[text.index("What an aid would change") :]
    assert aids.index("most helpful") > aids.index(label[1:]) > 0
    assert "Need a licence you do not have" in aids and "a lent car (licence B)" in aids
    # Bruno holds a car licence: nothing is out of his reach for want of one.
    assert "Need a licence" not in page(folders, "en", "bruno_2.html")


def test_one_person_one_file(diagnosis, tmp_path):
    path = diagnosis.to_html(tmp_path / "out" / "bruno.html", person="bruno/2", lang="fr")
    assert path == tmp_path / "out" / "bruno.html"
    text = path.read_text(encoding="utf-8")
    assert "Bruno Martin" in text and "Amina Diallo" not in text
    assert [p.name for p in path.parent.iterdir()] == ["bruno.html"]  # no temporary file left


def test_bad_person_language_or_path(diagnosis, tmp_path):
    with pytest.raises(InvalidParameterError, match="no person has the id 'nobody'"):
        diagnosis.to_html(tmp_path / "x.html", person="nobody")
    with pytest.raises(InvalidParameterError, match="lang must be one of 'en', 'fr'"):
        diagnosis.to_html(tmp_path / "sheets", lang="de")
    with pytest.raises(InvalidParameterError, match=r"the \.html file"):
        diagnosis.to_html(tmp_path, person="amina")
    with pytest.raises(InvalidParameterError, match="a folder"):
        diagnosis.to_html(tmp_path / "all.html")
    with pytest.raises(InvalidParameterError, match="Diagnosis"):
        sheet.write_sheets(diagnosis.table, tmp_path / "sheets")
    assert list(tmp_path.iterdir()) == []


def test_an_error_leaves_no_page_behind(diagnosis, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the map failed")

    monkeypatch.setattr(sheet, "_map_png", broken)
    with pytest.raises(RuntimeError, match="the map failed"):
        diagnosis.to_html(tmp_path / "sheets")
    with pytest.raises(RuntimeError, match="the map failed"):
        diagnosis.to_html(tmp_path / "amina.html", person="amina")
    assert list(tmp_path.iterdir()) == []


def test_file_names_are_safe_and_unique():
    names = sheet._file_names(["a b", "a_b", "index", "chloé/3", "", 7])
    assert names == ["a_b.html", "a_b-2.html", "index-2.html", "chloe_3.html", "person.html", "7.html"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_chromium_renders_the_page(folders, tmp_path):
    shot = tmp_path / "amina.png"
    subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--screenshot={shot}", "--window-size=1240,1754", (folders["fr"] / "amina.html").as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    image = Image.open(shot).convert("L")
    assert image.size == (1240, 1754)
    assert ImageStat.Stat(image).stddev[0] > 20  # text, tables and the map, not a blank page


def test_street_route_is_the_path_behind_the_travel_time(poa_transit):
    home, work = (-51.19, -30.06), (-51.22, -30.03)
    for mode, speed in (("walk", 3.6), ("bike", 12.0)):
        line = street_route(poa_transit, home, work, mode=mode)
        assert line.coords[0] == home and line.coords[-1] == work
        metres = gpd.GeoSeries([line], crs=4326).to_crs(poa_transit.crs).length.iloc[0]
        minutes = rc.travel_time_matrix(
            poa_transit, pd.DataFrame({"id": [0], "lon": [home[0]], "lat": [home[1]]}),
            pd.DataFrame({"id": [1], "lon": [work[0]], "lat": [work[1]]}), mode=mode, max_time=120,
        )["travel_time"].iloc[0]  # fmt: skip
        if mode == "walk":  # one speed on the streets and off them, on flat ground
            assert np.isclose(metres / (speed / 3.6) / 60, minutes, rtol=0.01)
        else:  # the walk to and from the streets is slower than the ride
            assert metres / (speed / 3.6) / 60 < minutes
    assert street_route(poa_transit, home, work, mode="walk", max_time=10).is_empty
    with pytest.raises(InvalidParameterError, match="use itinerary"):
        street_route(poa_transit, home, work, mode="transit")
