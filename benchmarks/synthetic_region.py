"""A seeded synthetic city, ``scale`` times the size of the Porto Alegre sample, for scaling benchmarks.

::

    from synthetic_region import write_region
    osm_path, gtfs_folder, cells = write_region("/tmp/city4", scale=4, seed=0)
    net = rc.Network.build(osm_path, gtfs=[gtfs_folder], date="2019-05-13")

Scale 1 matches the Porto Alegre sample (``rc.datasets.porto_alegre()``): its 1,227 H3 cells
(resolution 9, about 110 km² at its latitude), about 26,700 street edges and 19,000 nodes once
the network is built (26,669 and 19,143 there), with the same shares of dead ends, 3-way and
4-way junctions (about 17, 52 and 20 %), about 3,900 stops (4,010) and about 520 trips
starting each hour on a weekday morning (the sample's buses run only from 11:00 to 17:00,
about 600 an hour, 2,903 trips in all; these run from 06:00 to 22:00, 8,400 trips a day).
Area, streets, stops, trips and cells grow linearly with ``scale``: the city is a square of
side ``sqrt(scale)`` times scale 1's, with the same densities everywhere.

- **Streets** (OSM XML, read by pyosmium like any extract): a grid of blocks 80 to 150 m
  long (each row and column spacing drawn uniformly), corners jittered by a few metres. Every
  10th row and column (random offset) is an arterial, ``primary`` and ``secondary`` in turn,
  with ``maxspeed`` 60 and 50; two ``tertiary`` collectors (40) run between two arterials; the
  rest is ``residential``. A quarter of the residential links are missing (dead ends, T
  junctions), 3 % of the blocks have a diagonal street, 10 % of the residential streets are
  one-way, 40 % of the blocks are cut by a lane, service road or footway, ``service`` and
  ``footway`` dead ends lead into blocks, and ways are split where real extracts change tags
  (nodes of degree 2). These shares were set so that scale 1 has Porto Alegre's edges, nodes
  and degrees.
- **Public transport** (a GTFS folder, weekdays of 2019): bus lines along the arterials and
  collectors, cut into lines of 8 to 14 km, a stop every 250 to 350 m on each side of the
  street, one trip every 10, 12, 15 or 20 min each way from 06:00 to 22:00, at 18 to 22 km/h
  plus 20 s per stop; and ``round(2 sqrt(scale))`` metro lines along primary streets from one
  edge of the city to the other, a station every 1.0 to 1.6 km, every 5 to 10 min, 35 km/h
  plus 30 s per station.
- **Cells**: the H3 cells (resolution 9) whose centre lies in the square, at their centres,
  with ``population`` (mean 662 per cell, fewer in the centre, 5 % empty) and ``jobs`` (mean
  277, heavy-tailed, gathered around a centre and ``4 scale`` sub-centres), as in the sample.

Everything is drawn from ``numpy.random.default_rng(seed)`` (one child generator each for
streets, transit and cells), so a seed gives the same files on every machine, and the work
is vectorised: a scale-16 city (430,000 edges, 62,000 stops, 4.6 million stop times) is
written in 8 to 14 s on one core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

import reachable as rc

LON0, LAT0 = -51.2, -30.05
"""Centre of the city (where the Porto Alegre sample is: its UTM zone and H3 cell sizes)."""
AREA_M2 = 1227 * h3.cell_area(h3.latlng_to_cell(LAT0, LON0, 9), unit="m^2")
"""Scale 1: Porto Alegre's 1,227 cells of H3 resolution 9 (about 110 km²)."""
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT0))

BLOCK_M = (80.0, 150.0)
JITTER_M = 6.0
ARTERIAL_EVERY = 10
COLLECTORS_AT = (3, 7)
"""Positions, in blocks after each arterial, of the two collectors between arterials."""
REMOVED = 0.25
"""Share of residential links missing; set, with PASSAGES, STUBS and SPLITS, so that scale 1
has Porto Alegre's edges, nodes and junction degrees (26,669 edges, 19,143 nodes)."""
DIAGONALS = 0.03
"""Share of blocks with a diagonal street."""
ONEWAY = 0.1
"""Share of residential streets (runs between missing links) that are one-way."""
PASSAGES = 0.4
"""Share of blocks cut in two by a lane, service road or footway between opposite sides."""
STUBS = 0.36
"""Chance that a residential or collector link has a service road or footway into a block."""
STUB_M = (25.0, 45.0)
SPLITS = 0.2
"""Chance that a link's way is split at a point along it (where tags change in real extracts)."""

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
BUS_STOP_M = (250.0, 350.0)
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

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = DAYS[:5]

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
        H3 resolution-9 cells, as ``rc.datasets.porto_alegre_hexgrid()``: ``id``, ``lon``,
        ``lat``, ``population``, ``jobs`` and ``geometry`` (the cell's centre, EPSG:4326).
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
def _lonlat(x, y, side: float):
    """Lon/lat of ``x``, ``y`` metres from the south-west corner of the city (``side`` wide)."""
    return LON0 + (x - side / 2) / M_PER_DEG_LON, LAT0 + (y - side / 2) / M_PER_DEG_LAT


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
    gx, gy = grid.x.ravel(), grid.y.ravel()  # grid node k + 1 is (i, j) = divmod(k, ny)

    # Links along rows (east-west, i -> i + 1) then along columns (north-south, j -> j + 1),
    # each street's links in order: row link (i, j) is number j (nx - 1) + i, column link
    # (i, j) is n_row + i (ny - 1) + j.
    i, j = np.meshgrid(np.arange(nx - 1), np.arange(ny), indexing="ij")
    row_i, row_j = i.T.ravel(), j.T.ravel()
    i, j = np.meshgrid(np.arange(nx), np.arange(ny - 1), indexing="ij")
    col_i, col_j = i.ravel(), j.ravel()
    n_row = len(row_i)
    start = np.concatenate((grid.node_id(row_i, row_j), grid.node_id(col_i, col_j)))
    end = np.concatenate((grid.node_id(row_i + 1, row_j), grid.node_id(col_i, col_j + 1)))
    cls = np.concatenate((grid.row_class[row_j], grid.column_class[col_i]))
    street = np.concatenate((row_j, ny + col_i))
    position = np.concatenate((row_i, col_j))
    keep = (cls != RESIDENTIAL) | (rng.random(len(cls)) >= REMOVED)

    # Passages across blocks, from a point of one side to a point of the opposite side
    # (T junctions, as where real blocks are cut by a lane); a link holds one at most.
    blocks = np.flatnonzero(rng.random((nx - 1) * (ny - 1)) < PASSAGES)
    bi, bj = np.divmod(blocks, ny - 1)
    north_south = rng.random(len(blocks)) < 0.5
    side_a = np.where(north_south, bj * (nx - 1) + bi, n_row + bi * (ny - 1) + bj)
    side_b = np.where(north_south, (bj + 1) * (nx - 1) + bi, n_row + (bi + 1) * (ny - 1) + bj)
    claimed = ~keep
    passages = []
    for a, b in zip(side_a.tolist(), side_b.tolist(), strict=True):
        if not (claimed[a] or claimed[b]):
            claimed[a] = claimed[b] = True
            passages.append((a, b))
    passages = np.asarray(passages, dtype=np.int64).reshape(-1, 2)
    # Service roads and footways into blocks from residential and collector links
    # (arterials have none: their driveways are not mapped as ways).
    stub_links = np.flatnonzero(~claimed & (cls <= TERTIARY) & (rng.random(len(cls)) < STUBS))
    claimed[stub_links] = True
    # Ways end where their tags change (name, surface, a bridge): nodes of degree 2.
    split_links = np.flatnonzero(~claimed & (rng.random(len(cls)) < SPLITS))

    # A node along each link holding a passage or a stub, or where its way is split.
    with_mid = np.concatenate((passages.ravel(), stub_links, split_links))
    mid = np.full(len(cls), -1, dtype=np.int64)
    mid[with_mid] = np.arange(n_grid + 1, n_grid + 1 + len(with_mid))
    ax, ay = gx[start[with_mid] - 1], gy[start[with_mid] - 1]
    bx, by = gx[end[with_mid] - 1], gy[end[with_mid] - 1]
    t = rng.uniform(0.3, 0.7, len(with_mid))
    mx, my = ax + t * (bx - ax), ay + t * (by - ay)
    n_stub = len(stub_links)
    first_stub_end = n_grid + 1 + len(with_mid)
    stub_ends = np.arange(first_stub_end, first_stub_end + n_stub)
    k = slice(2 * len(passages), 2 * len(passages) + n_stub)
    # Perpendicular to the link, to either side.
    reach = rng.choice([-1.0, 1.0], n_stub) * rng.uniform(*STUB_M, n_stub)
    reach /= np.hypot(bx[k] - ax[k], by[k] - ay[k])
    node_x = np.concatenate((gx, mx, mx[k] - reach * (by[k] - ay[k])))
    node_y = np.concatenate((gy, my, my[k] + reach * (bx[k] - ax[k])))

    ways = []  # (offsets into refs, refs, class per way, one-way per way)
    # A split link becomes two half links; the second, at the same position along its
    # street as the first, starts a new way.
    is_split = np.zeros(len(cls), dtype=bool)
    is_split[split_links] = True
    kept = np.flatnonzero(keep)
    halves = 1 + is_split[kept]
    link = np.repeat(kept, halves)
    second = np.zeros(len(link), dtype=bool)
    second[np.cumsum(halves)[is_split[kept]] - 1] = True
    first_half = is_split[link] & ~second
    link_start, link_end, link_mid = start[link], end[link], mid[link]
    link_end[first_half] = link_mid[first_half]
    link_start[second] = link_mid[second]
    link_mid[is_split[link]] = -1
    offsets, refs, first = _street_ways(link_start, link_end, link_mid, street[link], position[link])
    way_class = cls[link][first]
    ways.append((offsets, refs, way_class, (way_class == RESIDENTIAL) & (rng.random(len(first)) < ONEWAY)))

    def two_node_ways(a, b, classes):
        pairs = np.arange(0, 2 * len(a) + 1, 2, dtype=np.int64)
        ways.append((pairs, np.column_stack((a, b)).ravel(), classes, np.zeros(len(a), dtype=bool)))

    two_node_ways(mid[passages[:, 0]], mid[passages[:, 1]],
                  rng.choice([RESIDENTIAL, SERVICE, FOOTWAY], len(passages), p=[0.5, 0.2, 0.3]))  # fmt: skip
    two_node_ways(mid[stub_links], stub_ends, rng.choice([SERVICE, FOOTWAY], n_stub, p=[0.6, 0.4]))
    # Diagonal streets across a few blocks, one corner to the opposite one.
    blocks = np.flatnonzero(rng.random((nx - 1) * (ny - 1)) < DIAGONALS)
    bi, bj = np.divmod(blocks, ny - 1)
    rising = rng.random(len(blocks)) < 0.5
    two_node_ways(np.where(rising, grid.node_id(bi, bj), grid.node_id(bi + 1, bj)),
                  np.where(rising, grid.node_id(bi + 1, bj + 1), grid.node_id(bi, bj + 1)),
                  np.full(len(blocks), RESIDENTIAL))  # fmt: skip

    lon, lat = _lonlat(node_x, node_y, grid.side)
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6" generator="synthetic_region">']
    lines += [
        f'<node id="{n}" version="1" lat="{la:.7f}" lon="{lo:.7f}"/>'
        for n, lo, la in zip(range(1, len(lon) + 1), lon.tolist(), lat.tolist(), strict=True)
    ]
    tags = {c: "".join(f'<tag k="{k}" v="{v}"/>' for k, v in pairs) for c, pairs in _TAGS.items()}
    oneway_tag = '<tag k="oneway" v="yes"/>'
    way_id = 1
    for offsets, refs, classes, oneway in ways:
        nd = [f'<nd ref="{r}"/>' for r in refs.tolist()]
        for lo, hi, c, one in zip(
            offsets[:-1].tolist(), offsets[1:].tolist(), classes.tolist(), oneway.tolist(), strict=True
        ):
            # Half the one-way streets run against their node order.
            body = nd[lo:hi][::-1] if one and way_id % 2 else nd[lo:hi]
            extra = oneway_tag if one else ""
            lines.append(f'<way id="{way_id}" version="1">{"".join(body)}{tags[c]}{extra}</way>')
            way_id += 1
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
        # Lines of 8 to 14 km end to end, sharing their termini; the last one takes in a
        # remainder shorter than 4 km rather than run as a stub of a line.
        cuts = np.cumsum(rng.uniform(*BUS_LINE_M, int(length / BUS_LINE_M[0]) + 1))
        cuts = cuts[cuts < distance[at[-1]] - BUS_LINE_M[0] / 2]
        ends = np.unique(np.concatenate(([0], np.searchsorted(distance[at], cuts), [len(at) - 1])))
        legs = np.diff(distance[at]) / (BUS_KPH[cls] / 3.6)
        for a, b in zip(ends[:-1].tolist(), ends[1:].tolist(), strict=True):
            add_route(f"{name} {a}-{b}", 3, legs[a:b], (there[a : b + 1], back[a : b + 1][::-1]),
                      BUS_HEADWAYS_MIN, BUS_DWELL_S)  # fmt: skip
        if k in rail:
            at, distance = _along(x, y, _offsets(rng, distance[-1], RAIL_STATION_M))
            # One stop per station for both directions, 25 m off the street.
            stations = add_stops(x[at], y[at], [f"{name} station {n}" for n in range(len(at))], 2.5)
            legs = np.diff(distance[at]) / (RAIL_KPH / 3.6)
            add_route(f"metro {name}", 1, legs, (stations, stations[::-1]), RAIL_HEADWAYS_MIN, RAIL_DWELL_S)

    lon, lat = _lonlat(np.concatenate(stops.pop("x")), np.concatenate(stops.pop("y")), grid.side)
    seconds = np.concatenate(times)
    # A lookup table of HH:MM:SS: formatting millions of times one by one is slow.
    clock = [f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}" for t in range(int(seconds.max()) + 1)]
    clock = np.asarray(clock, dtype=object)[seconds]
    tables = {
        "agency": {"agency_id": ["synthetic"], "agency_name": ["Synthetic transit"],
                   "agency_url": ["https://example.org"], "agency_timezone": ["America/Sao_Paulo"]},
        "calendar": {"service_id": ["weekdays"], **{day: [int(day in WEEKDAYS)] for day in DAYS},
                     "start_date": ["20190101"], "end_date": ["20191231"]},
        "stops": {**stops, "stop_lat": np.round(lat, 7), "stop_lon": np.round(lon, 7)},
        "routes": {"agency_id": "synthetic", **routes},
        "trips": {"service_id": "weekdays", **trips},
        "stop_times": {"trip_id": np.asarray(trips["trip_id"], dtype=object)[np.concatenate(trip_of)],
                       "arrival_time": clock, "departure_time": clock,
                       "stop_id": np.asarray(stops["stop_id"], dtype=object)[np.concatenate(stop_of)],
                       "stop_sequence": np.concatenate(sequence)},
    }  # fmt: skip
    for name, columns in tables.items():
        pd.DataFrame(columns).to_csv(folder / f"{name}.txt", index=False)
    return folder


# ---------------------------------------------------------------------------- cells
def _cells(grid: _Grid, rng, scale: float):
    corners = np.array([0.0, grid.side, grid.side, 0.0]), np.array([0.0, 0.0, grid.side, grid.side])
    lon, lat = _lonlat(*corners, grid.side)
    cells = rc.grid.h3(shapely.Polygon(np.column_stack((lon, lat))), resolution=9)
    x = (cells["lon"].to_numpy() - LON0) * M_PER_DEG_LON + grid.side / 2
    y = (cells["lat"].to_numpy() - LAT0) * M_PER_DEG_LAT + grid.side / 2
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
    # Points at the cells' centres, as the Porto Alegre hexgrid (origins must be points).
    centres = gpd.points_from_xy(cells["lon"], cells["lat"], crs=4326)
    return cells.assign(population=population, jobs=jobs).set_geometry(centres)
