"""A seeded synthetic city, ``scale`` times the size of the Porto Alegre sample, for scaling benchmarks.

::

    from synthetic_region import write_region
    osm_path, gtfs_folder, cells = write_region("/tmp/city4", scale=4, seed=0)
    net = rc.Network.build(osm_path, gtfs=[gtfs_folder], date="2019-05-13")

Scale 1 matches the Porto Alegre sample (``rc.datasets.porto_alegre()``): 1,227 H3 cells
(resolution 9) over about 129 km², about 26,700 street edges and 19,000 nodes once the
network is built, about 4,000 stops, about 480 trips an hour on a weekday morning (the
sample's buses run about 600 an hour from 12:00 to 16:00, its only hours: 2,903 trips in
all). Area, streets, stops, trips and cells grow linearly with ``scale``: the city is a square
of side ``sqrt(scale)`` times scale 1's, with the same densities everywhere.

- **Streets** (OSM XML): a grid of blocks 80 to 150 m long (each row and column spacing
  drawn uniformly), corners jittered by a few metres. Every 10th row and column (random
  offset) is an arterial, ``primary`` and ``secondary`` in turn, with ``maxspeed``; two
  ``tertiary`` collectors run between two arterials; the rest is ``residential``. A quarter
  of the residential links are missing (dead ends, T junctions), a few blocks have a
  diagonal street, some residential streets are one-way, and ``service`` and ``footway``
  dead ends lead into blocks, as in real extracts, which makes the degrees realistic: mostly
  3-way, then 4-way and dead ends.
- **Public transport** (a GTFS folder, weekdays of 2019): bus lines along the arterials and
  collectors, cut into lines of 8 to 14 km, a stop every 300 to 400 m on each side of the
  street, one trip every 10 to 20 min each way from 06:00 to 22:00, at 18 to 22 km/h plus
  20 s per stop; and ``round(2 sqrt(scale))`` metro lines along primary streets from one
  edge of the city to the other, a station every 1.0 to 1.6 km, every 5 to 10 min, 35 km/h.
- **Cells**: the H3 cells (resolution 9) whose centre lies in the square, with
  ``population`` (mean 662 per cell, fewer in the centre) and ``jobs`` (mean 277, heavy-tailed,
  gathered in a centre and ``4 scale`` sub-centres), as in the sample.

Everything is drawn from ``numpy.random.default_rng(seed)`` (one child generator each for
streets, transit and cells), so a seed gives the same files on every machine, and the work
is vectorised: a scale-16 city (about 430,000 edges) is written in about 10 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

import reachable as rc

AREA_M2 = 1227 * 105_300.0
"""Scale 1: Porto Alegre's 1,227 cells times the mean area of an H3 resolution-9 cell."""
LON0, LAT0 = -51.2, -30.05
"""Centre of the city (where the Porto Alegre sample is: its UTM zone and H3 cell sizes)."""
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT0))

BLOCK_M = (80.0, 150.0)
JITTER_M = 6.0
ARTERIAL_EVERY = 10
COLLECTORS_AT = (3, 7)
"""Positions, in blocks after each arterial, of the two collectors between arterials."""
REMOVED = 0.25
"""Share of residential links missing; calibrated with STUBS and DIAGONALS on scale 1 so
that edges and nodes match Porto Alegre's (26,669 edges, 19,143 nodes)."""
DIAGONALS = 0.03
"""Share of blocks with a diagonal street."""
ONEWAY = 0.1
"""Share of residential streets (runs between missing links) that are one-way."""
STUBS = 0.27
"""Chance that a residential or collector link has a service road or footway into a block."""
STUB_M = (25.0, 45.0)

RESIDENTIAL, TERTIARY, SECONDARY, PRIMARY = 0, 1, 2, 3
SERVICE, FOOTWAY = 4, 5
_TAGS = {
    RESIDENTIAL: [("highway", "residential")],
    TERTIARY: [("highway", "tertiary"), ("maxspeed", "40")],
    SECONDARY: [("highway", "secondary"), ("maxspeed", "50"), ("lanes", "2")],
    PRIMARY: [("highway", "primary"), ("maxspeed", "60"), ("lanes", "3")],
    SERVICE: [("highway", "service")],
    FOOTWAY: [("highway", "footway")],
}

SERVICE_START, SERVICE_END = 6 * 3600, 22 * 3600
BUS_STOP_M = (300.0, 400.0)
BUS_LINE_M = (8_000.0, 14_000.0)
BUS_HEADWAYS_MIN = (10, 12, 15, 20)
BUS_KPH = {TERTIARY: 18.0, SECONDARY: 20.0, PRIMARY: 22.0}
BUS_DWELL_S = 20
RAIL_STATION_M = (1_000.0, 1_600.0)
RAIL_HEADWAYS_MIN = (5, 6, 8, 10)
RAIL_KPH = 35.0
RAIL_DWELL_S = 30
STOP_OFFSET_M = 10.0
"""Stops stand beside the street, on the side of their direction of travel."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")

MEAN_POPULATION, MEAN_JOBS = 662.0, 277.0
"""Per cell, as in the Porto Alegre hexgrid."""


@dataclass
class _Grid:
    x: np.ndarray  # (nx, ny) metres east of the south-west corner
    y: np.ndarray
    column_class: np.ndarray  # (nx,) class of the street along each column (north-south)
    row_class: np.ndarray  # (ny,)
    side: float

    @property
    def shape(self) -> tuple[int, int]:
        return self.x.shape

    def node_id(self, i, j):
        return np.asarray(i) * self.shape[1] + np.asarray(j) + 1


def write_region(folder, scale: float, seed: int = 0) -> tuple[Path, Path, pd.DataFrame]:
    """Write a synthetic city of ``scale`` times the Porto Alegre sample to ``folder``.

    Parameters
    ----------
    folder : str or Path
        Created if missing; gets ``city.osm`` and a ``gtfs`` folder (overwritten).
    scale : float
        Area, streets, stops, trips and cells relative to the Porto Alegre sample (1).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``: the same seed writes the same files.

    Returns
    -------
    osm_path : Path
        The streets, as OSM XML.
    gtfs_folder : Path
        The GTFS feed (a folder), weekdays of 2019.
    cells : geopandas.GeoDataFrame
        H3 resolution-9 cells: ``id``, ``lon``, ``lat``, ``geometry``, ``population``, ``jobs``.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    streets_rng, transit_rng, cells_rng = np.random.default_rng(seed).spawn(3)
    grid = _grid(streets_rng, math.sqrt(AREA_M2 * scale))
    osm_path = _write_osm(folder / "city.osm", grid, streets_rng)
    gtfs_folder = _write_gtfs(folder / "gtfs", grid, transit_rng, scale)
    cells = _cells(grid, cells_rng, scale)
    return osm_path, gtfs_folder, cells


# ---------------------------------------------------------------------------- streets
def _lonlat(x, y):
    """Metres from the south-west corner of a square of ``side`` centred on (LON0, LAT0)."""
    return LON0 + x / M_PER_DEG_LON, LAT0 + y / M_PER_DEG_LAT


def _positions(rng, side: float) -> np.ndarray:
    n = int(side / BLOCK_M[0]) + 2
    positions = np.concatenate(([0.0], np.cumsum(rng.uniform(*BLOCK_M, n))))
    return positions[positions <= side]


def _street_classes(rng, n: int) -> np.ndarray:
    classes = np.full(n, RESIDENTIAL)
    offset = int(rng.integers(ARTERIAL_EVERY))
    arterials = np.arange(offset, n, ARTERIAL_EVERY)
    # Primary and secondary in turn, so a primary street every 20 blocks.
    classes[arterials] = np.where(np.arange(len(arterials)) % 2 == 0, PRIMARY, SECONDARY)
    for at in COLLECTORS_AT:
        classes[np.arange(offset + at, n, ARTERIAL_EVERY)] = TERTIARY
    # Collectors before the first arterial too, so the bus network covers the edge blocks.
    for at in COLLECTORS_AT:
        if offset + at - ARTERIAL_EVERY >= 0:
            classes[offset + at - ARTERIAL_EVERY] = TERTIARY
    return classes


def _grid(rng, side: float) -> _Grid:
    xs, ys = _positions(rng, side), _positions(rng, side)
    jitter = rng.normal(0.0, JITTER_M, (2, len(xs), len(ys))).clip(-2 * JITTER_M, 2 * JITTER_M)
    x = xs[:, None] + jitter[0]
    y = ys[None, :] + jitter[1]
    return _Grid(x, y, _street_classes(rng, len(xs)), _street_classes(rng, len(ys)), side)


def _street_ways(start, end, mid, street, position):
    """Group links into ways: one per run of consecutive existing links along a street.

    Parameters
    ----------
    start, end, mid : ndarray of int64
        Node ids of each existing link's ends and of its mid-link node (-1 for none), in
        order along each street.
    street, position : ndarray of int64
        The street of each link and its position along it (consecutive links of a run have
        consecutive positions).

    Returns
    -------
    offsets : ndarray of int64, shape (n_ways + 1,)
    refs : ndarray of int64
        Node ids of way ``w`` in ``refs[offsets[w]:offsets[w + 1]]``.
    first : ndarray of int64, shape (n_ways,)
        Index of each way's first link.
    """
    n = len(start)
    new = np.ones(n, dtype=bool)
    new[1:] = (street[1:] != street[:-1]) | (position[1:] != position[:-1] + 1)
    way = np.cumsum(new) - 1
    last = np.ones(n, dtype=bool)
    last[:-1] = new[1:]
    k = np.arange(n)
    has_mid = mid >= 0
    # Each link gives its start node, then its mid node; a way's last link also its end node.
    keys = np.concatenate((3 * k, 3 * k[has_mid] + 1, 3 * k[last] + 2))
    refs = np.concatenate((start, mid[has_mid], end[last]))
    ways = np.concatenate((way, way[has_mid], way[last]))
    order = np.argsort(keys, kind="stable")
    refs, ways = refs[order], ways[order]
    offsets = np.concatenate(([0], np.cumsum(np.bincount(ways, minlength=int(new.sum())))))
    return offsets.astype(np.int64), refs, np.flatnonzero(new)


def _write_osm(path: Path, grid: _Grid, rng) -> Path:
    nx, ny = grid.shape
    n_grid = nx * ny
    node_x, node_y = [grid.x.ravel()], [grid.y.ravel()]  # ids 1..n_grid, (i, j) row-major

    # Links along rows (east-west, i -> i + 1) and columns (north-south, j -> j + 1), each in
    # order along its street.
    i, j = np.meshgrid(np.arange(nx - 1), np.arange(ny), indexing="ij")
    row_i, row_j = i.T.ravel(), j.T.ravel()  # sorted by row j, then i
    i, j = np.meshgrid(np.arange(nx), np.arange(ny - 1), indexing="ij")
    col_i, col_j = i.ravel(), j.ravel()  # sorted by column i, then j
    links = {
        "row": dict(start=grid.node_id(row_i, row_j), end=grid.node_id(row_i + 1, row_j),
                    cls=grid.row_class[row_j], street=row_j, position=row_i),
        "col": dict(start=grid.node_id(col_i, col_j), end=grid.node_id(col_i, col_j + 1),
                    cls=grid.column_class[col_i], street=nx + col_i, position=col_j),
    }  # fmt: skip

    next_id = n_grid + 1
    stubs = []  # (mid id, end id, kind)
    ways = []  # (offsets, refs, class per way, oneway per way)
    for link in links.values():
        keep = (link["cls"] != RESIDENTIAL) | (rng.random(len(link["cls"])) >= REMOVED)
        start, end, cls = link["start"][keep], link["end"][keep], link["cls"][keep]
        street, position = link["street"][keep], link["position"][keep]
        # Service roads and footways into the blocks, from a point along residential and
        # collector links (arterials have none: driveways there are not mapped as ways).
        has_stub = (cls <= TERTIARY) & (rng.random(len(cls)) < STUBS)
        n_stub = int(has_stub.sum())
        mid = np.full(len(cls), -1, dtype=np.int64)
        mid[has_stub] = np.arange(next_id, next_id + n_stub)
        ends = np.arange(next_id + n_stub, next_id + 2 * n_stub)
        next_id += 2 * n_stub
        ax, ay = grid.x.ravel()[start[has_stub] - 1], grid.y.ravel()[start[has_stub] - 1]
        bx, by = grid.x.ravel()[end[has_stub] - 1], grid.y.ravel()[end[has_stub] - 1]
        t = rng.uniform(0.3, 0.7, n_stub)
        mx, my = ax + t * (bx - ax), ay + t * (by - ay)
        norm = np.hypot(bx - ax, by - ay)
        side = rng.choice([-1.0, 1.0], n_stub) * rng.uniform(*STUB_M, n_stub) / norm
        node_x += [mx, mx - side * (by - ay)]
        node_y += [my, my + side * (bx - ax)]
        stubs.append((mid[has_stub], ends, np.where(rng.random(n_stub) < 0.6, SERVICE, FOOTWAY)))

        offsets, refs, first = _street_ways(start, end, mid, street, position)
        way_class = cls[first]
        oneway = (way_class == RESIDENTIAL) & (rng.random(len(first)) < ONEWAY)
        ways.append((offsets, refs, way_class, oneway))

    # Diagonals across a few blocks, one corner to the opposite one.
    blocks = np.flatnonzero(rng.random((nx - 1) * (ny - 1)) < DIAGONALS)
    bi, bj = np.divmod(blocks, ny - 1)
    rising = rng.random(len(blocks)) < 0.5
    a = np.where(rising, grid.node_id(bi, bj), grid.node_id(bi + 1, bj))
    b = np.where(rising, grid.node_id(bi + 1, bj + 1), grid.node_id(bi, bj + 1))
    two = np.arange(0, 2 * len(blocks) + 1, 2, dtype=np.int64)
    ways.append((two, np.column_stack((a, b)).ravel(), np.full(len(blocks), RESIDENTIAL),
                 np.zeros(len(blocks), dtype=bool)))  # fmt: skip
    for mids, ends, kinds in stubs:
        ways.append((np.arange(0, 2 * len(mids) + 1, 2, dtype=np.int64),
                     np.column_stack((mids, ends)).ravel(), kinds, np.zeros(len(mids), dtype=bool)))  # fmt: skip

    lon, lat = _lonlat(np.concatenate(node_x), np.concatenate(node_y))
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6" generator="synthetic_region">']
    lines += [
        f'<node id="{k}" version="1" lat="{la:.7f}" lon="{lo:.7f}"/>'
        for k, lo, la in zip(range(1, len(lon) + 1), lon.tolist(), lat.tolist(), strict=True)
    ]
    tags = {c: "".join(f'<tag k="{k}" v="{v}"/>' for k, v in pairs) for c, pairs in _TAGS.items()}
    oneway_tag = '<tag k="oneway" v="yes"/>'
    way_id = 1
    for offsets, refs, classes, oneway in ways:
        nd = [f'<nd ref="{r}"/>' for r in refs.tolist()]
        for w, (lo, hi, c, one) in enumerate(
            zip(offsets[:-1].tolist(), offsets[1:].tolist(), classes.tolist(), oneway.tolist(), strict=True)
        ):
            # Half the one-way streets run against their node order, as drawn.
            body = nd[lo:hi] if not one or (way_id + w) % 2 else nd[lo:hi][::-1]
            lines.append(f'<way id="{way_id + w}" version="1">{"".join(body)}{tags[c]}'
                         f"{oneway_tag if one else ''}</way>")  # fmt: skip
        way_id += len(classes)
    lines.append("</osm>\n")
    path.write_text("\n".join(lines))
    return path


# ---------------------------------------------------------------------------- transit
def _along(x, y, targets):
    """Indices of the points of a polyline nearest to distances ``targets`` along it (unique)."""
    distance = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
    index = np.clip(np.searchsorted(distance, targets), 1, len(distance) - 1)
    nearer_before = targets - distance[index - 1] < distance[index] - targets
    return np.unique(index - nearer_before), distance


def _offsets(rng, length: float, spacing: tuple[float, float]) -> np.ndarray:
    n = int(length / spacing[0]) + 2
    steps = rng.uniform(*spacing, n)
    steps[0] = rng.uniform(0.0, spacing[0] / 2)
    return np.cumsum(steps)


def _write_gtfs(folder: Path, grid: _Grid, rng, scale: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nx, ny = grid.shape
    # A street: (x, y) of its grid nodes in order, its class, and a name.
    streets = [(grid.x[:, j], grid.y[:, j], c, f"row {j}") for j, c in enumerate(grid.row_class) if c]
    rows = [k for k, street in enumerate(streets) if street[2] == PRIMARY]
    streets += [(grid.x[i], grid.y[i], c, f"column {i}") for i, c in enumerate(grid.column_class) if c]
    columns = [k for k, street in enumerate(streets) if street[2] == PRIMARY and k not in rows]
    n_rail = max(1, round(2 * math.sqrt(scale)))
    rail = [*rng.permutation(rows)[: (n_rail + 1) // 2], *rng.permutation(columns)[: n_rail // 2]]

    stops = {"stop_id": [], "stop_name": [], "x": [], "y": []}
    routes = {"route_id": [], "route_short_name": [], "route_long_name": [], "route_type": []}
    trips = {"route_id": [], "trip_id": [], "direction_id": []}
    times, trip_of, stop_of, sequence = [], [], [], []
    n_trips = 0

    def add_stops(x, y, names, side):
        # Stops beside the street, ``side`` x STOP_OFFSET_M to the right of its direction.
        dx, dy = np.gradient(x), np.gradient(y)
        norm = np.hypot(dx, dy)
        first = len(stops["stop_id"])
        stops["stop_id"] += [f"s{k}" for k in range(first, first + len(x))]
        stops["stop_name"] += names
        stops["x"].append(x + side * STOP_OFFSET_M * dy / norm)
        stops["y"].append(y - side * STOP_OFFSET_M * dx / norm)
        return np.arange(first, first + len(x))

    def add_route(name, route_type, legs_s, stop_index, headways, dwell):
        nonlocal n_trips
        route_id = f"r{len(routes['route_id'])}"
        routes["route_id"].append(route_id)
        routes["route_short_name"].append(route_id[1:])
        routes["route_long_name"].append(name)
        routes["route_type"].append(route_type)
        for direction, (legs, index) in enumerate(((legs_s, stop_index[0]), (legs_s[::-1], stop_index[1]))):
            headway = 60 * int(rng.choice(headways))
            first = SERVICE_START + 60 * int(rng.integers(headway // 60))
            departures = np.arange(first, SERVICE_END, headway)
            at_stop = np.concatenate(([0], np.cumsum(np.round(legs + dwell)).astype(np.int64)))
            ids = np.arange(n_trips, n_trips + len(departures))
            n_trips += len(departures)
            trips["route_id"] += [route_id] * len(departures)
            trips["trip_id"] += [f"t{k}" for k in ids.tolist()]
            trips["direction_id"] += [direction] * len(departures)
            times.append((departures[:, None] + at_stop[None, :]).ravel())
            trip_of.append(np.repeat(ids, len(index)))
            stop_of.append(np.tile(index, len(departures)))
            sequence.append(np.tile(np.arange(1, len(index) + 1), len(departures)))

    for k, (x, y, cls, name) in enumerate(streets):
        length = float(np.hypot(np.diff(x), np.diff(y)).sum())
        at, distance = _along(x, y, _offsets(rng, length, BUS_STOP_M))
        names = [f"{name}, km {distance[a] / 1000:.1f}" for a in at.tolist()]
        there = add_stops(x[at], y[at], names, 1.0)
        back = add_stops(x[at], y[at], names, -1.0)
        # Lines of 8 to 14 km end to end; consecutive lines share their terminus.
        ends = np.unique(np.concatenate(
            ([0], np.searchsorted(distance[at], _offsets(rng, distance[-1], BUS_LINE_M)[:-1]), [len(at) - 1])
        ).clip(0, len(at) - 1))  # fmt: skip
        if len(ends) > 2 and distance[at[ends[-1]]] - distance[at[ends[-2]]] < BUS_LINE_M[0] / 2:
            ends = np.delete(ends, -2)  # no stub of a line at the end of the street
        legs = np.diff(distance[at]) / (BUS_KPH[cls] / 3.6)
        for a, b in zip(ends[:-1].tolist(), ends[1:].tolist(), strict=True):
            add_route(f"{name} {a}-{b}", 3, legs[a:b], (there[a : b + 1], back[a : b + 1][::-1]),
                      BUS_HEADWAYS_MIN, BUS_DWELL_S)  # fmt: skip
        if k in rail:
            at, distance = _along(x, y, _offsets(rng, distance[-1], RAIL_STATION_M))
            stations = add_stops(x[at], y[at], [f"{name} station {n}" for n in range(len(at))], 2.5)
            legs = np.diff(distance[at]) / (RAIL_KPH / 3.6)
            add_route(f"metro {name}", 1, legs, (stations, stations[::-1]), RAIL_HEADWAYS_MIN, RAIL_DWELL_S)

    lon, lat = _lonlat(np.concatenate(stops.pop("x")), np.concatenate(stops.pop("y")))
    stop_ids = np.asarray(stops["stop_id"], dtype=object)
    seconds = np.concatenate(times)
    clock = _clock(int(seconds.max()))
    pd.DataFrame({"agency_id": ["synthetic"], "agency_name": ["Synthetic transit"],
                  "agency_url": ["https://example.org"], "agency_timezone": ["America/Sao_Paulo"]}
                 ).to_csv(folder / "agency.txt", index=False)  # fmt: skip
    pd.DataFrame({"service_id": ["weekdays"], **{day: [1] for day in WEEKDAYS}, "saturday": [0], "sunday": [0],
                  "start_date": ["20190101"], "end_date": ["20191231"]}).to_csv(folder / "calendar.txt", index=False)  # fmt: skip
    pd.DataFrame({**stops, "stop_lat": np.round(lat, 7), "stop_lon": np.round(lon, 7)}).to_csv(
        folder / "stops.txt", index=False
    )
    pd.DataFrame({"agency_id": "synthetic", **routes}).to_csv(folder / "routes.txt", index=False)
    pd.DataFrame({"route_id": trips["route_id"], "service_id": "weekdays", "trip_id": trips["trip_id"],
                  "direction_id": trips["direction_id"]}).to_csv(folder / "trips.txt", index=False)  # fmt: skip
    trip_ids = np.asarray(trips["trip_id"], dtype=object)
    at = clock[seconds]
    pd.DataFrame({"trip_id": trip_ids[np.concatenate(trip_of)], "arrival_time": at, "departure_time": at,
                  "stop_id": stop_ids[np.concatenate(stop_of)], "stop_sequence": np.concatenate(sequence)}
                 ).to_csv(folder / "stop_times.txt", index=False)  # fmt: skip
    return folder


def _clock(last: int) -> np.ndarray:
    """``HH:MM:SS`` of every second from 0 to ``last`` (a lookup table: formatting millions is slow)."""
    s = np.arange(last + 1)
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return np.char.add(np.char.add(np.char.add(np.char.zfill(h.astype(str), 2), ":"),
                                   np.char.add(np.char.zfill(m.astype(str), 2), ":")),
                       np.char.zfill(sec.astype(str), 2)).astype(object)  # fmt: skip


# ---------------------------------------------------------------------------- cells
def _cells(grid: _Grid, rng, scale: float):
    lon, lat = _lonlat(np.array([0.0, grid.side, grid.side, 0.0]), np.array([0.0, 0.0, grid.side, grid.side]))
    cells = rc.grid.h3(shapely.Polygon(np.column_stack((lon, lat))), resolution=9)
    x = (cells["lon"].to_numpy() - LON0) * M_PER_DEG_LON
    y = (cells["lat"].to_numpy() - LAT0) * M_PER_DEG_LAT
    n = len(cells)
    # A centre and sub-centres (as many per km² at every scale); jobs gather there.
    n_sub = round(4 * scale)
    cx = np.concatenate(([grid.side / 2], rng.uniform(0, grid.side, n_sub)))
    cy = np.concatenate(([grid.side / 2], rng.uniform(0, grid.side, n_sub)))
    radius = np.concatenate(([1500.0], rng.uniform(500.0, 1000.0, n_sub)))
    weight = np.concatenate(([1.0], rng.uniform(0.2, 0.5, n_sub)))
    d = np.hypot(x[:, None] - cx[None, :], y[:, None] - cy[None, :])
    pull = (weight * np.exp(-d / radius)).sum(axis=1)
    jobs = (0.03 + pull) * rng.lognormal(0.0, 1.0, n)
    jobs = np.round(jobs * MEAN_JOBS * n / jobs.sum())
    # People live around the centres rather than in them; a few cells are parks.
    near_centre = np.exp(-d[:, 0] / 2000.0)
    population = rng.gamma(1.5, 1.0, n) * (1.0 - 0.6 * near_centre) * (rng.random(n) >= 0.05)
    population = np.round(population * MEAN_POPULATION * n / population.sum())
    return cells.assign(population=population, jobs=jobs)
