"""Read street ways from OpenStreetMap files (PBF or XML) with pyosmium.

pyosmium streams the file and keeps node locations in an index, so files of any size are
read without holding OSM objects in Python; only the ways with a ``highway`` tag that at
least one requested mode may use are kept, as flat arrays.
"""

from __future__ import annotations

import logging
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

from ..errors import DataFileNotFoundError, OSMFileError
from .tags import ROUTING_KEYS, car_speed_kph, mode_allowed, mode_directions

logger = logging.getLogger("reachable")

_XML_SUFFIXES = (".osm", ".xml", ".osm.xml")


@dataclass(frozen=True)
class StreetWays:
    """Street ways as flat arrays, before they are split at intersections.

    Attributes
    ----------
    way_id : ndarray of int64, shape (n_ways,)
    way_offsets : ndarray of int64, shape (n_ways + 1,)
        Way ``i`` uses positions ``way_offsets[i]:way_offsets[i + 1]`` of the node arrays.
    node_ref, lon, lat : ndarray, shape (n_positions,)
        OSM node id and WGS84 coordinates (degrees) of each node of each way, in way order.
    directions : ndarray of bool, shape (n_ways, n_modes, 2)
        Whether each mode may travel forward / backward along the node order.
    car_speed : ndarray of float64, shape (n_ways,)
        Free-flow car speed in km/h (``maxspeed`` or the highway default).
    highway : ndarray of str, shape (n_ways,)
    modes : tuple of str
        The modes of the second axis of ``directions``.
    """

    way_id: np.ndarray
    way_offsets: np.ndarray
    node_ref: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    directions: np.ndarray
    car_speed: np.ndarray
    highway: np.ndarray
    modes: tuple[str, ...]


def _open(path: Path) -> osmium.io.File:
    name = path.name.lower()
    if name.endswith(_XML_SUFFIXES):
        return osmium.io.File(str(path), "osm")
    return osmium.io.File(str(path))


def read_street_ways(path: str | Path, modes: tuple[str, ...]) -> StreetWays:
    """Read the ways that any of ``modes`` may use from an OSM PBF or XML file.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf``, ``.pbf``, ``.osm``, ``.osm.xml`` or ``.xml`` file (optionally
        compressed with ``.gz``/``.bz2`` as libosmium allows).
    modes : tuple of str
        Street modes the ways are read for.

    Returns
    -------
    StreetWays

    Raises
    ------
    DataFileNotFoundError
        The file does not exist.
    OSMFileError
        The file is empty, is not OSM data, or holds no way usable by ``modes``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(f"OSM file not found: {path}")
    if path.stat().st_size == 0:
        raise OSMFileError(f"OSM file {path} is empty; pass a .osm.pbf or .osm (XML) extract")

    way_ids: list[int] = []
    lengths: list[int] = []
    # Flat arrays of machine numbers, not a list per way: millions of Python objects kept
    # alive would make each pass of the garbage collector longer as the file goes on.
    refs, lons, lats = array("q"), array("d"), array("d")
    directions: list[list[tuple[bool, bool]]] = []
    speeds: list[float] = []
    highways: list[str] = []
    missing_locations = 0
    try:
        processor = (
            osmium.FileProcessor(_open(path))
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        # Most ways share their routing tags (a city has a few hundred kinds of street): the
        # rules, which read no other tags, run once per kind. Asking a way for these keys
        # takes half the time of copying all its tags.
        rules: dict[tuple, tuple | None] = {}
        for way in processor:
            kind = tuple(map(way.tags.get, ROUTING_KEYS))
            if kind not in rules:
                pairs = zip(ROUTING_KEYS, kind, strict=True)
                tags = {key: value for key, value in pairs if value is not None}
                allowed = [
                    mode_directions(tags, mode) if mode_allowed(tags, mode) else (False, False)
                    for mode in modes
                ]
                usable = any(forward or backward for forward, backward in allowed)
                rules[kind] = (allowed, car_speed_kph(tags), tags["highway"]) if usable else None
            rule = rules[kind]
            if rule is None:
                continue
            allowed, speed, highway = rule
            first = len(refs)
            nodes = way.nodes
            n_nodes = len(nodes)
            # By index: pyosmium iterates a way's nodes through a generator, twice as slow.
            for i in range(n_nodes):
                node = nodes[i]
                location = node.location
                if location.valid():
                    refs.append(node.ref)
                    lons.append(location.lon)
                    lats.append(location.lat)
            n_located = len(refs) - first
            missing_locations += n_nodes - n_located
            if n_located < 2:
                del refs[first:], lons[first:], lats[first:]
                continue
            way_ids.append(way.id)
            lengths.append(n_located)
            directions.append(allowed)
            speeds.append(speed)
            highways.append(highway)
    except RuntimeError as error:
        raise OSMFileError(
            f"cannot read {path} as OpenStreetMap data ({error}); pass a .osm.pbf or .osm (XML) file"
        ) from error
    if missing_locations:
        logger.warning(
            "%s: %d way nodes have no location (clipped extract?) and were skipped",
            path,
            missing_locations,
        )
    if not way_ids:
        raise OSMFileError(
            f"{path} holds no street usable by {', '.join(modes)}: no way with a routable "
            "highway tag; is it an OpenStreetMap extract of the study area?"
        )
    return StreetWays(
        way_id=np.asarray(way_ids, dtype=np.int64),
        way_offsets=np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        node_ref=np.array(refs, dtype=np.int64),
        lon=np.array(lons, dtype=np.float64),
        lat=np.array(lats, dtype=np.float64),
        directions=np.asarray(directions, dtype=bool).reshape(len(way_ids), len(modes), 2),
        car_speed=np.asarray(speeds, dtype=np.float64),
        highway=np.asarray(highways, dtype=object),
        modes=modes,
    )


PARK_AND_RIDE = "park_and_ride"
BICYCLE_PARKING = "bicycle_parking"


def parking_kind(tags) -> str | None:
    """:data:`PARK_AND_RIDE`, :data:`BICYCLE_PARKING` or None for an OSM object's tags.

    Park-and-ride is ``park_ride=*`` (any value but ``no``) on its own or on an
    ``amenity=parking``, as the OSM wiki documents it.
    """
    park_ride = tags.get("park_ride")
    if park_ride is not None and park_ride != "no":
        return PARK_AND_RIDE
    if tags.get("amenity") == "bicycle_parking" and tags.get("access") not in ("private", "no"):
        return BICYCLE_PARKING
    return None


def read_parking(path: str | Path) -> dict[str, list]:
    """Park-and-ride places and bicycle parkings of an OSM file, as ``{lon, lat, kind}`` lists.

    Nodes give their location; ways (car parks drawn as areas) the mean of their nodes'.
    The file is assumed readable (:func:`read_street_ways` has checked it).
    """
    found: dict[str, list] = {"lon": [], "lat": [], "kind": []}
    processor = (
        osmium.FileProcessor(_open(Path(path)))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("park_ride", "amenity"))
    )
    for item in processor:
        kind = parking_kind(item.tags)
        if kind is None:
            continue
        if item.is_node():
            lon, lat = item.location.lon, item.location.lat
        else:
            located = [node.location for node in item.nodes if node.location.valid()]
            if not located:
                continue
            lon = float(np.mean([loc.lon for loc in located]))
            lat = float(np.mean([loc.lat for loc in located]))
        found["lon"].append(lon)
        found["lat"].append(lat)
        found["kind"].append(kind)
    return found
