"""Tag rules: maxspeed parsing, access and one-way handling per mode."""

from __future__ import annotations

import math

import pytest

from reachable.osm.tags import car_speed_kph, mode_allowed, mode_directions, parse_maxspeed


@pytest.mark.parametrize(
    ("value", "kph"),
    [
        ("50", 50.0),
        ("30 mph", 30 * 1.609344),
        ("20mph", 20 * 1.609344),
        ("FR:urban", 50.0),
        ("FR:rural", 80.0),
        ("DE:rural", 100.0),
        ("DE:zone30", 30.0),
        ("GB:nsl_single", 96.56),
        ("50;70", 60.0),
        (["50", "70"], 60.0),
        ("walk", 7.0),
        ("none", math.nan),
        ("signals", math.nan),
        ("", math.nan),
        (None, math.nan),
        ("-5", math.nan),
    ],
)
def test_parse_maxspeed(value, kph):
    parsed = parse_maxspeed(value)
    if math.isnan(kph):
        assert math.isnan(parsed)
    else:
        assert parsed == pytest.approx(kph)


def test_car_speed_falls_back_to_the_highway_default():
    assert car_speed_kph({"highway": "primary", "maxspeed": "none"}) == 60.0
    assert car_speed_kph({"highway": "primary", "maxspeed": "80"}) == 80.0
    assert car_speed_kph({"highway": "unknown_kind"}) == 30.0


@pytest.mark.parametrize(
    ("tags", "walk", "bike", "moped", "car"),
    [
        ({"highway": "residential"}, True, True, True, True),
        ({"highway": "footway"}, True, False, False, False),
        ({"highway": "footway", "bicycle": "yes"}, True, True, False, False),
        ({"highway": "cycleway"}, False, True, False, False),
        ({"highway": "cycleway", "foot": "designated"}, True, True, False, False),
        ({"highway": "motorway"}, False, False, False, True),
        ({"highway": "trunk_link"}, True, True, False, True),
        ({"highway": "service"}, True, True, False, False),
        ({"highway": "residential", "access": "private"}, False, False, False, False),
        ({"highway": "residential", "access": "no", "foot": "yes"}, True, False, False, False),
        ({"highway": "residential", "motor_vehicle": "no"}, True, True, False, False),
        ({"highway": "residential", "motorcar": "no"}, True, True, True, False),
        ({"highway": "residential", "moped": "no"}, True, True, False, True),
        ({"highway": "pedestrian", "area": "yes"}, False, False, False, False),
        ({"highway": "construction", "foot": "yes"}, False, False, False, False),
        ({"highway": "steps"}, True, False, False, False),
    ],
)
def test_mode_allowed(tags, walk, bike, moped, car):
    assert [mode_allowed(tags, m) for m in ("walk", "bike", "moped", "car")] == [walk, bike, moped, car]


@pytest.mark.parametrize(
    ("tags", "mode", "directions"),
    [
        ({"oneway": "yes"}, "car", (True, False)),
        ({"oneway": "1"}, "car", (True, False)),
        ({"oneway": "true"}, "moped", (True, False)),
        ({"oneway": "-1"}, "car", (False, True)),
        ({"oneway": "no"}, "car", (True, True)),
        ({"junction": "roundabout"}, "car", (True, False)),
        ({"junction": "roundabout", "oneway": "no"}, "car", (True, True)),
        ({"oneway": "yes"}, "walk", (True, True)),
        ({"oneway": "yes"}, "bike", (True, False)),
        ({"oneway": "yes", "oneway:bicycle": "no"}, "bike", (True, True)),
        ({"oneway": "yes", "cycleway": "opposite_lane"}, "bike", (True, True)),
        ({}, "car", (True, True)),
    ],
)
def test_mode_directions(tags, mode, directions):
    assert mode_directions({"highway": "residential", **tags}, mode) == directions


class _Recording(dict):
    """Tags that remember every key the rules ask for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def test_the_rules_read_only_the_routing_keys():
    """The OSM reader runs the rules once per combination of ``ROUTING_KEYS`` values: a key the
    rules read outside that list would give two different ways the first one's answer, and a
    key in it that they never read would only split the kinds."""
    from reachable.osm.tags import ROUTING_KEYS

    examples = [
        {"highway": "residential", "maxspeed": "FR:urban", "name": "Rue"},
        {"highway": "footway", "bicycle": "yes", "service": "alley", "area": "no"},
        {"highway": "cycleway", "foot": "designated", "oneway": "yes", "oneway:bicycle": "no"},
        {"highway": "primary", "oneway": "yes", "cycleway:left": "opposite_lane", "junction": "roundabout"},
        {"highway": "service", "access": "no", "vehicle": "yes", "motor_vehicle": "no", "motorcar": "yes",
         "moped": "yes", "cycleway": "lane", "cycleway:right": "track"},
    ]  # fmt: skip
    asked = set()
    for example in examples:
        for mode in ("walk", "bike", "moped", "car"):
            tags = _Recording(example)
            mode_allowed(tags, mode)
            mode_directions(tags, mode)
            car_speed_kph(tags)
            asked |= tags.asked
    # No other key, and every one of them is read by some branch the examples reach.
    assert asked == set(ROUTING_KEYS)
