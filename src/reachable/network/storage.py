"""Save and load networks in a versioned ``.npz`` format, and cache built networks."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pooch

from ..errors import DataFileNotFoundError, NetworkFormatError
from ..gtfs.timetable import Timetable
from .edges import StreetEdges
from .elevation import EdgeElevation
from .street import StreetGraph

FORMAT_NAME = "reachable-network"
FORMAT_VERSION = 4
"""Bumped whenever the saved arrays or their meaning change; older files are refused.

Version 3: the metadata names every service day of the timeline (``dates``), not one ``date``.
Version 4: the streets' elevation profiles, sampled from a raster at build, are saved with them.
"""

_EDGE_FIELDS = (
    "node_id",
    "node_lon",
    "node_lat",
    "u",
    "v",
    "length",
    "car_speed",
    "way_id",
    "directions",
    "geometry_offsets",
    "geometry_lon",
    "geometry_lat",
)
_GRAPH_FIELDS = (
    "node",
    "indptr",
    "head",
    "arc_edge",
    "arc_reverse",
    "edge",
    "edge_node",
    "edge_direction",
)
_ELEVATION_FIELDS = ("offsets", "distance", "elevation")


def write_network(
    path: str | Path,
    edges: StreetEdges,
    graphs: dict[str, StreetGraph],
    metadata: dict,
    timetable: Timetable | None = None,
    elevation: EdgeElevation | None = None,
) -> Path:
    """Write a network atomically: a crash never leaves a half-written file at ``path``."""
    path = Path(path)
    arrays = {f"edges/{name}": getattr(edges, name) for name in _EDGE_FIELDS}
    highway_names, highway_codes = np.unique(edges.highway.astype(str), return_inverse=True)
    arrays["edges/highway_names"] = highway_names
    arrays["edges/highway_codes"] = highway_codes.astype(np.int32)
    for mode, graph in graphs.items():
        for name in _GRAPH_FIELDS:
            arrays[f"graph/{mode}/{name}"] = getattr(graph, name)
    if timetable is not None:
        for field in dataclasses.fields(Timetable):
            if field.name != "feeds":
                value = getattr(timetable, field.name)
                arrays[f"timetable/{field.name}"] = value.astype(str) if value.dtype == object else value
    if elevation is not None:
        for name in _ELEVATION_FIELDS:
            arrays[f"elevation/{name}"] = getattr(elevation, name)
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "modes": list(edges.modes),
        "graphs": list(graphs),
        "metadata": metadata,
        "feeds": None if timetable is None else [dict(feed) for feed in timetable.feeds],
        "elevation": elevation is not None,
    }
    arrays["header"] = np.array(json.dumps(header))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_network(
    path: str | Path,
) -> tuple[StreetEdges, dict[str, StreetGraph], dict, Timetable | None, EdgeElevation | None]:
    """Read a network written by :func:`write_network`."""
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(f"network file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("format") != FORMAT_NAME:
                raise KeyError("header")
            if header["version"] != FORMAT_VERSION:
                raise NetworkFormatError(
                    f"{path} was saved in network format version {header['version']}, this "
                    f"reachable reads version {FORMAT_VERSION}; build the network again from its files"
                )
            modes = tuple(header["modes"])
            fields = {name: data[f"edges/{name}"] for name in _EDGE_FIELDS}
            highway = data["edges/highway_names"].astype(object)[data["edges/highway_codes"]]
            edges = StreetEdges(**fields, highway=highway, modes=modes)
            graphs = {
                mode: StreetGraph(mode=mode, **{name: data[f"graph/{mode}/{name}"] for name in _GRAPH_FIELDS})
                for mode in header["graphs"]
            }
            timetable = None
            if header["feeds"] is not None:
                fields = {}
                for field in dataclasses.fields(Timetable):
                    if field.name != "feeds":
                        value = data[f"timetable/{field.name}"]
                        fields[field.name] = value.astype(object) if value.dtype.kind == "U" else value
                timetable = Timetable(**fields, feeds=tuple(header["feeds"]))
            elevation = None
            if header["elevation"]:
                elevation = EdgeElevation(**{name: data[f"elevation/{name}"] for name in _ELEVATION_FIELDS})
    except NetworkFormatError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise NetworkFormatError(
            f"{path} is not a reachable network file ({error}); create one with Network.save()"
        ) from error
    return edges, graphs, header["metadata"], timetable, elevation


def file_digest(path: str | Path) -> str:
    """sha256 of a file's bytes, read in blocks so large extracts fit in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(inputs: list[str], options: dict) -> str:
    """A key naming one build: the inputs' digests, the options and the format version."""
    text = json.dumps({"inputs": inputs, "options": options, "version": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def default_cache_dir() -> Path:
    """``$REACHABLE_CACHE_DIR`` if set, else the user's cache folder (``~/.cache/reachable``)."""
    folder = os.environ.get("REACHABLE_CACHE_DIR")
    if folder:
        return Path(folder)
    return Path(pooch.os_cache("reachable")) / "networks"
