"""Which ways each mode may use, in which direction, and at what car speed.

The rules follow OSMnx's ``network_type`` filters (``walk``, ``bike``, ``drive``) and add
the access-tag hierarchy of OpenStreetMap:

=======  ==========================================================  ===================
mode     highway filter (OSMnx, regex search like Overpass)          access tags, most
                                                                     specific wins
=======  ==========================================================  ===================
walk     OSMnx ``walk``                                              access, foot
bike     OSMnx ``bike``                                              access, vehicle,
                                                                     bicycle
car      OSMnx ``drive`` (no ``service`` roads, as in OSMnx)         access, vehicle,
                                                                     motor_vehicle,
                                                                     motorcar
moped    OSMnx ``drive`` without motorway, trunk and their links     access, vehicle,
                                                                     motor_vehicle, moped
=======  ==========================================================  ===================

A way is closed to a mode when the most specific access tag present is one of
:data:`DENIED_ACCESS`. An explicit permission in the mode's own tag (``foot=designated`` on
a cycleway, ``bicycle=yes`` on a footway) opens a highway type the filter would exclude,
except for ways that are not built (construction, proposed, ...) or areas.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np

_NOT_BUILT = re.compile("abandoned|construction|planned|proposed|razed|^no$")
_EXCLUDED_HIGHWAY = {
    "walk": re.compile(
        "abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|raceway|razed"
    ),
    "bike": re.compile(
        "abandoned|bus_guideway|construction|corridor|elevator|escalator|footway|motor|no|"
        "planned|platform|proposed|raceway|razed|steps"
    ),
    "car": re.compile(
        "abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|"
        "footway|no|path|pedestrian|planned|platform|proposed|raceway|razed|service|steps|track"
    ),
}
_EXCLUDED_HIGHWAY["moped"] = re.compile(_EXCLUDED_HIGHWAY["car"].pattern + "|^motorway|^trunk")
_EXCLUDED_SERVICE = {
    "walk": re.compile("private"),
    "bike": re.compile("private"),
    "car": re.compile("alley|driveway|emergency_access|parking|parking_aisle|private"),
    "moped": re.compile("alley|driveway|emergency_access|parking|parking_aisle|private"),
}
OWN_ACCESS_TAGS: dict[str, tuple[str, ...]] = {
    "walk": ("foot",),
    "bike": ("bicycle",),
    "car": ("motor_vehicle", "motorcar"),
    "moped": ("motor_vehicle", "moped"),
}
ACCESS_TAGS: dict[str, tuple[str, ...]] = {
    "walk": ("access", "foot"),
    "bike": ("access", "vehicle", "bicycle"),
    "car": ("access", "vehicle", "motor_vehicle", "motorcar"),
    "moped": ("access", "vehicle", "motor_vehicle", "moped"),
}
DENIED_ACCESS = frozenset(
    {"no", "private", "agricultural", "forestry", "delivery", "emergency", "military", "use_sidepath"}
)
"""Access values that close a way to a mode."""

_EXPLICIT_PERMISSION = frozenset({"yes", "designated", "permissive", "official"})
_YES = frozenset({"yes", "1", "true"})
_REVERSE = frozenset({"-1", "reverse"})
_NO = frozenset({"no", "0", "false"})

DEFAULT_CAR_SPEED_KPH: dict[str, float] = {
    "motorway": 110.0,
    "motorway_link": 70.0,
    "trunk": 90.0,
    "trunk_link": 60.0,
    "primary": 60.0,
    "primary_link": 50.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 40.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 20.0,
    "service": 20.0,
    "road": 40.0,
    "track": 15.0,
}
"""Car speed in km/h used when a way has no usable ``maxspeed``: typical urban posted limits."""

FALLBACK_CAR_SPEED_KPH = 30.0
"""Car speed in km/h for highway types missing from :data:`DEFAULT_CAR_SPEED_KPH`."""

ZONE_SPEED_KPH: dict[str, float] = {
    "urban": 50.0,
    "rural": 80.0,
    "trunk": 110.0,
    "motorway": 130.0,
    "living_street": 20.0,
    "bicycle_road": 30.0,
    "walk": 7.0,
}
"""Implicit limits (``FR:urban``, ``XX:rural``, ...) in km/h when no country entry applies."""

COUNTRY_ZONE_SPEED_KPH: dict[str, float] = {
    "AT:rural": 100.0,
    "BE-VLG:rural": 70.0,
    "CH:rural": 80.0,
    "CH:motorway": 120.0,
    "DE:rural": 100.0,
    "GB:nsl_single": 96.56,
    "GB:nsl_dual": 112.65,
    "GB:motorway": 112.65,
    "UK:nsl_single": 96.56,
    "UK:nsl_dual": 112.65,
    "UK:motorway": 112.65,
    "US:urban": 40.23,
    "US:rural": 88.51,
}
"""Country-specific implicit limits in km/h, where they differ from :data:`ZONE_SPEED_KPH`."""

_MPH = 1.609344
_KNOT = 1.852
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph|knots)?\s*$")
_ZONE_NUMBER = re.compile(r"zone:?(\d+)$")


def first_value(value: object) -> str | None:
    """Return a tag value as a string; the first item of a list (OSMnx merges tags into lists)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return first_value(value[0]) if value else None
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def _single_speed(text: str) -> float:
    text = text.strip().lower()
    match = _NUMBER.match(text)
    if match:
        number = float(match.group(1))
        unit = match.group(2)
        if unit == "mph":
            number *= _MPH
        elif unit == "knots":
            number *= _KNOT
        return number if number > 0 else math.nan
    if ":" in text:
        key = text.upper().split(":")[0] + ":" + text.split(":", 1)[1]
        if key in COUNTRY_ZONE_SPEED_KPH:
            return COUNTRY_ZONE_SPEED_KPH[key]
        zone = text.split(":", 1)[1]
        numbered = _ZONE_NUMBER.search(zone)
        if numbered:
            return float(numbered.group(1))
        return ZONE_SPEED_KPH.get(zone, math.nan)
    if text == "walk":
        return ZONE_SPEED_KPH["walk"]
    return math.nan


def parse_maxspeed(value: object) -> float:
    """Parse an OSM ``maxspeed`` value into km/h.

    Handles plain numbers (``50``), units (``30 mph``, ``20 knots``), implicit limits
    (``FR:urban``, ``DE:rural``, ``DE:zone30``), ``walk``, and lists (``50;70`` or an OSMnx
    list), whose valid values are averaged as OSMnx does.

    Parameters
    ----------
    value : str, list or None
        The tag value.

    Returns
    -------
    float
        The speed in km/h, or NaN when there is no usable limit (``none``, ``signals``,
        ``variable``, missing or malformed values): the caller then uses the highway default.
    """
    if value is None:
        return math.nan
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        if isinstance(value, float) and math.isnan(value):
            return math.nan
        parts = re.split(r"[;|,]", str(value).strip("[]"))
    speeds = [_single_speed(part.strip(" '\"")) for part in parts if part.strip()]
    speeds = [s for s in speeds if not math.isnan(s)]
    return float(np.mean(speeds)) if speeds else math.nan


ROUTING_KEYS = (
    "highway", "area", "access", "foot", "vehicle", "bicycle", "motor_vehicle", "motorcar", "moped",
    "service", "oneway", "oneway:bicycle", "cycleway", "cycleway:left", "cycleway:right", "junction",
    "maxspeed",
)  # fmt: skip
"""Every key :func:`mode_allowed`, :func:`mode_directions` and :func:`car_speed_kph` read: ways with
the same values of these share their answers."""


def car_speed_kph(tags: Mapping[str, object]) -> float:
    """Free-flow car speed of a way in km/h: its ``maxspeed``, else the highway default."""
    speed = parse_maxspeed(tags.get("maxspeed"))
    if math.isnan(speed):
        highway = first_value(tags.get("highway")) or ""
        speed = DEFAULT_CAR_SPEED_KPH.get(highway, FALLBACK_CAR_SPEED_KPH)
    return speed


def mode_allowed(tags: Mapping[str, object], mode: str) -> bool:
    """Whether ``mode`` may use a way with these tags (in at least one direction)."""
    highway = first_value(tags.get("highway"))
    if highway is None or _NOT_BUILT.search(highway):
        return False
    if first_value(tags.get("area")) == "yes":
        return False
    access = own_permission = None
    for key in ACCESS_TAGS[mode]:
        value = first_value(tags.get(key))
        if value is not None:
            access = value
            if key in OWN_ACCESS_TAGS[mode]:
                own_permission = value
    if access in DENIED_ACCESS:
        return False
    if own_permission in _EXPLICIT_PERMISSION:
        return True
    if _EXCLUDED_HIGHWAY[mode].search(highway):
        return False
    service = first_value(tags.get("service"))
    return not (service is not None and _EXCLUDED_SERVICE[mode].search(service))


def mode_directions(tags: Mapping[str, object], mode: str) -> tuple[bool, bool]:
    """Directions ``(forward, backward)`` along the way's node order that ``mode`` may travel.

    Walking ignores ``oneway``. Other modes follow ``oneway`` (``yes``, ``1``, ``true``;
    ``-1``/``reverse`` for the opposite direction) and roundabouts; cycling is two-way on
    one-way streets tagged ``oneway:bicycle=no`` or with a contraflow ``cycleway=opposite*``.
    """
    if mode == "walk":
        return True, True
    oneway = first_value(tags.get("oneway"))
    if mode == "bike":
        bicycle_oneway = first_value(tags.get("oneway:bicycle"))
        if bicycle_oneway is not None:
            oneway = bicycle_oneway
        elif any(
            (first_value(tags.get(key)) or "").startswith("opposite")
            for key in ("cycleway", "cycleway:left", "cycleway:right")
        ):
            return True, True
    if oneway is not None:
        oneway = oneway.lower()
        if oneway in _YES:
            return True, False
        if oneway in _REVERSE:
            return False, True
        if oneway in _NO:
            return True, True
    if first_value(tags.get("junction")) in ("roundabout", "circular"):
        return True, False
    return True, True
