"""Opportunity sites from OSM files: a hand-written town and the Porto Alegre sample."""

from __future__ import annotations

import logging

import osmium
import pytest
import shapely

import reachable as rc
from reachable import opportunities
from reachable.opportunities import COLUMNS, TRAINING_TAGS

# An L-shaped university campus: its centroid (about 10.0132, 50.0133) falls outside it.
L_CAMPUS = [
    (10.010, 50.010),
    (10.020, 50.010),
    (10.020, 50.012),
    (10.012, 50.012),
    (10.012, 50.020),
    (10.010, 50.020),
]
# A college mapped as a multipolygon: a thin frame around a large courtyard.
OUTER = [(10.030, 50.030), (10.040, 50.030), (10.040, 50.040), (10.030, 50.040)]
INNER = [(10.031, 50.031), (10.039, 50.031), (10.039, 50.039), (10.031, 50.039)]


def _node(node_id, lon, lat, **tags):
    body = "".join(f'<tag k="{k.replace("_colon_", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<node id="{node_id}" version="1" lat="{lat}" lon="{lon}">{body}</node>'


def _way(way_id, refs, **tags):
    nodes = "".join(f'<nd ref="{ref}"/>' for ref in refs)
    body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{way_id}" version="1">{nodes}{body}</way>'


def town_xml() -> str:
    nodes = [
        _node(1, 10.001, 50.001, amenity="school", name="Escola A"),
        _node(2, 10.002, 50.002, amenity="college", name="Colégio Técnico"),
        _node(3, 10.003, 50.003, amenity="school", school="vocational", name="Centro Vocacional"),
        _node(4, 10.004, 50.004, amenity="training", training="computer", name="Training Hub"),
        _node(5, 10.005, 50.005, amenity="cafe", name="Café"),
        _node(6, 10.006, 50.006, amenity="kindergarten", name="Creche"),
        # Inside the L campus: the same university again (dropped), a school (kept) and
        # another university with its own name (kept).
        _node(7, 10.011, 50.015, amenity="university", name="Universidade Federal"),
        _node(8, 10.011, 50.018, amenity="school", name="Escola do Campus"),
        _node(9, 10.015, 50.011, amenity="university", name="Outro Instituto"),
        _node(10, 10.007, 50.007, amenity="school", school_colon_for="adults", name="EJA Noturna"),
    ]
    nodes += [_node(100 + i, lon, lat) for i, (lon, lat) in enumerate(L_CAMPUS)]
    nodes += [_node(200 + i, lon, lat) for i, (lon, lat) in enumerate(OUTER)]
    nodes += [_node(210 + i, lon, lat) for i, (lon, lat) in enumerate(INNER)]
    nodes += [_node(300, 10.050, 50.050), _node(301, 10.060, 50.050)]
    nodes += [_node(400 + i, lon, lat) for i, (lon, lat) in enumerate(OUTER)]
    ways = [
        _way(100, [100, 101, 102, 103, 104, 105, 100], amenity="university", name="Universidade Federal"),
        _way(200, [200, 201, 202, 203, 200]),
        _way(201, [210, 211, 212, 213, 210]),
        _way(300, [300, 301], amenity="school", name="Escola Linear"),
        _way(400, [400, 401, 402, 403, 400], amenity="cafe", building="yes"),
    ]
    relations = [
        '<relation id="789" version="1"><member type="way" ref="200" role="outer"/>'
        '<member type="way" ref="201" role="inner"/><tag k="type" v="multipolygon"/>'
        '<tag k="amenity" v="college"/><tag k="name" v="Campus Sul"/></relation>',
        '<relation id="790" version="1"><member type="node" ref="1" role=""/>'
        '<tag k="type" v="site"/><tag k="amenity" v="school"/><tag k="name" v="Sítio"/></relation>',
    ]
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"test\">\n"
        + "\n".join(nodes + ways + relations)
        + "\n</osm>\n"
    )


@pytest.fixture
def town(tmp_path):
    path = tmp_path / "town.osm"
    path.write_text(town_xml(), encoding="utf-8")
    return path


def _by_id(sites):
    return {row.id: row for row in sites.itertuples()}


def test_training_sites(town):
    sites = opportunities.from_osm(town)
    assert list(sites.columns) == list(COLUMNS)
    assert sites.crs.to_epsg() == 4326
    rows = _by_id(sites)
    assert {key: row.kind for key, row in rows.items()} == {
        "node/1": "school",
        "node/2": "college",
        "node/3": "vocational",
        "node/4": "training",
        "node/8": "school",
        "node/9": "university",
        "node/10": "adult_education",
        "way/100": "university",
        "way/300": "school",
        "relation/789": "college",
    }
    assert list(sites["id"]) == [
        "node/1",
        "node/2",
        "node/3",
        "node/4",
        "node/8",
        "node/9",
        "node/10",
        "way/100",
        "way/300",
        "relation/789",
    ]
    assert rows["node/2"].name == "Colégio Técnico"
    assert rows["way/100"].name == "Universidade Federal"
    assert rows["relation/789"].name == "Campus Sul"
    assert (sites["count"] == 1.0).all()
    assert sites["count"].dtype == "float64"
    assert all(isinstance(name, str) for name in sites["name"])
    assert all(geometry.geom_type == "Point" for geometry in sites.geometry)


def test_points_lie_where_expected(town):
    rows = _by_id(opportunities.from_osm(town))
    assert rows["node/1"].geometry.equals(shapely.Point(10.001, 50.001))
    campus = shapely.Polygon(L_CAMPUS)
    assert not campus.contains(campus.centroid)
    assert campus.contains(rows["way/100"].geometry)
    frame = shapely.Polygon(OUTER, [INNER])
    assert frame.contains(rows["relation/789"].geometry)
    assert not shapely.Polygon(INNER).contains(rows["relation/789"].geometry)
    assert rows["way/300"].geometry.equals_exact(shapely.Point(10.055, 50.050), 1e-9)


def test_node_inside_its_own_area_counts_once(town):
    sites = opportunities.from_osm(town)
    assert "node/7" not in set(sites["id"])
    universities = sites[sites["kind"] == "university"]
    assert sorted(universities["name"]) == ["Outro Instituto", "Universidade Federal"]


def test_unrelated_and_non_multipolygon_features_are_left_out(town):
    ids = set(opportunities.from_osm(town)["id"])
    assert not ids & {"node/5", "node/6", "way/400", "relation/790", "way/200", "way/201"}


def test_schools_only(town):
    sites = opportunities.from_osm(town, "schools")
    assert list(sites["id"]) == ["node/1", "node/3", "node/8", "node/10", "way/300"]
    assert set(sites["kind"]) == {"school"}


def test_custom_mapping(town):
    cafes = opportunities.from_osm(town, {"amenity": ["cafe"]})
    assert list(cafes["id"]) == ["node/5", "way/400"]
    assert set(cafes["kind"]) == {"cafe"}
    assert shapely.Polygon(OUTER).contains(_by_id(cafes)["way/400"].geometry)
    buildings = opportunities.from_osm(town, {"building": "*"})
    assert list(buildings["kind"]) == ["building"]
    mixed = opportunities.from_osm(town, {"amenity": "kindergarten", "training": "*"})
    assert {row.id: row.kind for row in mixed.itertuples()} == {
        "node/4": "computer",
        "node/6": "kindergarten",
    }


@pytest.mark.parametrize("name", ["town.osm.xml", "town.xml", "town.osm.pbf"])
def test_formats(town, tmp_path, name):
    target = tmp_path / name
    if name.endswith(".pbf"):
        with osmium.SimpleWriter(str(target)) as writer:
            for obj in osmium.FileProcessor(osmium.io.File(str(town), "osm")):
                writer.add(obj)
    else:
        target.write_bytes(town.read_bytes())
    expected = opportunities.from_osm(town)
    assert opportunities.from_osm(target).equals(expected)


def test_progress_bar_does_not_change_the_result(town):
    assert opportunities.from_osm(town, progress=True).equals(opportunities.from_osm(town, progress=False))


def test_tag_table_is_in_the_docstring():
    doc = opportunities.from_osm.__doc__
    lines = doc.splitlines()
    for kind, tags in TRAINING_TAGS:
        pieces = [f"``{key}={'|'.join(values)}``" for key, values in tags.items()]
        assert any(
            all(piece in line for piece in pieces) and line.rstrip().endswith(kind) for line in lines
        ), (
            kind,
            tags,
        )


def test_no_site_gives_empty_frame_and_warning(tmp_path, caplog):
    path = tmp_path / "cafe.osm"
    path.write_text(
        '<?xml version="1.0"?><osm version="0.6">' + _node(1, 10.0, 50.0, amenity="cafe") + "</osm>",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="reachable"):
        sites = opportunities.from_osm(path)
    assert sites.empty
    assert list(sites.columns) == list(COLUMNS)
    assert sites.crs.to_epsg() == 4326
    assert "no opportunity site" in caplog.text


def test_missing_file(tmp_path):
    with pytest.raises(rc.DataFileNotFoundError):
        opportunities.from_osm(tmp_path / "nowhere.osm.pbf")


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.osm.pbf", b""), ("text.osm", b"this is not xml at all"), ("junk.osm.pbf", b"\x00\x01junk" * 50)],
)
def test_not_osm(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(rc.OSMFileError):
        opportunities.from_osm(path)


@pytest.mark.parametrize("kind", ["jobs", "", {}, {"amenity": []}, {"amenity": [""]}, {"": "*"}, 3, None])
def test_bad_kind(town, kind):
    with pytest.raises(rc.InvalidParameterError):
        opportunities.from_osm(town, kind)


def test_porto_alegre(poa, caplog):
    # The r5r sample is a street extract: it holds transport amenities but no education tag.
    with caplog.at_level(logging.WARNING, logger="reachable"):
        training = opportunities.from_osm(poa.osm)
    assert training.empty
    assert list(training.columns) == list(COLUMNS)
    assert "no opportunity site" in caplog.text

    stations = opportunities.from_osm(poa.osm, {"amenity": ["bus_station", "ferry_terminal"]})
    assert stations["kind"].value_counts().to_dict() == {"bus_station": 26, "ferry_terminal": 7}
    types = stations["id"].str.split("/").str[0].value_counts().to_dict()
    assert types == {"way": 21, "node": 9, "relation": 3}
    assert stations["id"].is_unique
    minx, miny, maxx, maxy = stations.total_bounds
    assert -51.4 < minx < maxx < -51.0
    assert -30.3 < miny < maxy < -29.9
    # Each site is an object of the file with that amenity, read here with osmium alone
    # (``count`` summing to the number of rows would hold by construction: it is 1.0 each).
    kind = {"n": "node", "w": "way", "r": "relation"}
    tagged = {
        f"{kind[obj.type_str()]}/{obj.id}": obj.tags.get("amenity")
        for obj in osmium.FileProcessor(str(poa.osm))
        if obj.tags.get("amenity") in ("bus_station", "ferry_terminal")
    }
    assert dict(zip(stations["id"], stations["kind"], strict=True)) == tagged


def test_self_intersecting_way_falls_back_to_a_point_inside(tmp_path, caplog):
    bowtie = [(10.0, 50.0), (10.01, 50.01), (10.01, 50.0), (10.0, 50.01)]
    xml = (
        '<?xml version="1.0"?><osm version="0.6">'
        + "".join(_node(i + 1, lon, lat) for i, (lon, lat) in enumerate(bowtie))
        + _way(50, [1, 2, 3, 4, 1], amenity="college", name="Bowtie")
        + "</osm>"
    )
    path = tmp_path / "bowtie.osm"
    path.write_text(xml, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="reachable"):
        sites = opportunities.from_osm(path)
    assert not caplog.text
    assert list(sites["id"]) == ["way/50"]
    assert shapely.make_valid(shapely.Polygon(bowtie)).intersects(sites.geometry.iloc[0])
